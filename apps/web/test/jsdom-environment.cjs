// jsdom as the test environment, plus the platform's fetch family (fetch, Request, Response, Headers) and the
// classes they need (AbortController, streams, TextEncoder) taken from Node, so openapi-fetch and react-router
// data routers run under Jest exactly as in a browser. Tests replace globalThis.fetch with a mock.
const JSDOMEnvironment = require('jest-environment-jsdom').default;

const FROM_NODE = [
  'fetch',
  'Request',
  'Response',
  'Headers',
  'FormData',
  'Blob',
  'AbortController',
  'AbortSignal',
  'ReadableStream',
  'WritableStream',
  'TransformStream',
  'TextEncoder',
  'TextDecoder',
  'structuredClone',
];

class JsdomWithFetchEnvironment extends JSDOMEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of FROM_NODE) {
      this.global[name] = globalThis[name];
    }
  }
}

module.exports = JsdomWithFetchEnvironment;
