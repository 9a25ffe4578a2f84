// The API's layering, kept by the linter (docs/domain-modules.md, "Layers"):
//   - platform/** imports only platform/** (and libraries): never a domain module, never the composition root;
//   - a domain module imports another module only through that module's public file, modules/<name>/index.ts;
//   - domain modules do not import the composition root (app.module.ts, bootstrap.ts, main.ts, cli/, ...).
// Paths are judged after resolving relative imports against each root given in the options.
'use strict';

const path = require('node:path');

/** Where a path (relative to a source root) sits: platform, a module (public file or internals), or the root. */
function layerOf(relativePath) {
  const parts = relativePath.split(path.sep);
  if (parts[0] === 'platform') return { kind: 'platform' };
  if (parts[0] === 'modules' && parts.length >= 2) {
    const rest = parts.slice(2);
    const isPublic = rest.length === 0 || (rest.length === 1 && /^index(\.ts)?$/.test(rest[0]));
    return { kind: 'module', name: parts[1], isPublic };
  }
  return { kind: 'root' };
}

function within(root, file) {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : null;
}

/** @type {import('eslint').Rule.RuleModule} */
const layering = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Keep the API layered: platform below modules, modules joined only by public files',
    },
    schema: [
      {
        type: 'object',
        properties: { roots: { type: 'array', items: { type: 'string' }, minItems: 1 } },
        required: ['roots'],
        additionalProperties: false,
      },
    ],
    messages: {
      platformImportsModule:
        'platform/ must not import a domain module ({{target}}): define a port in the platform and let the module provide it',
      platformImportsRoot:
        'platform/ must not import the composition root ({{target}}): the application wires the platform, not the reverse',
      moduleInternals:
        "Import module '{{module}}' through its public file (modules/{{module}}/index.ts), not its internals ({{target}})",
      moduleImportsRoot: 'A domain module must not import the composition root ({{target}})',
    },
  },
  create(context) {
    const roots = context.options[0].roots.map((root) => path.resolve(context.cwd, root));
    const filename = context.filename;
    const root = roots.find((candidate) => within(candidate, filename) !== null);
    if (!root) return {};
    const from = layerOf(within(root, filename));

    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const resolved = path.resolve(path.dirname(filename), source);
      const relative = within(root, resolved);
      if (relative === null) return;
      const to = layerOf(relative);
      const target = relative.split(path.sep).join('/');
      if (from.kind === 'platform') {
        if (to.kind === 'module')
          context.report({ node, messageId: 'platformImportsModule', data: { target } });
        if (to.kind === 'root') context.report({ node, messageId: 'platformImportsRoot', data: { target } });
        return;
      }
      if (to.kind === 'module' && !to.isPublic && !(from.kind === 'module' && from.name === to.name)) {
        context.report({ node, messageId: 'moduleInternals', data: { module: to.name, target } });
      }
      if (from.kind === 'module' && to.kind === 'root') {
        context.report({ node, messageId: 'moduleImportsRoot', data: { target } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      TSImportEqualsDeclaration: (node) =>
        node.moduleReference.type === 'TSExternalModuleReference' &&
        check(node, node.moduleReference.expression.value),
    };
  },
};

module.exports = { rules: { layering } };
