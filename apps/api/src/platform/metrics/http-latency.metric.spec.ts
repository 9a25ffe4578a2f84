import { Registry } from 'prom-client';
import { HttpLatencyMetric } from './http-latency.metric';

describe('HttpLatencyMetric', () => {
  it('is exposed by the prom-client registry as a cumulative Prometheus histogram', async () => {
    const registry = new Registry();
    const metric = new HttpLatencyMetric();
    registry.registerMetric(metric.asPromMetric());
    metric.observe('GET', '/api/health', 200, 0.001);
    metric.observe('GET', '/api/health', 200, 0.03);
    metric.observe('GET', '/api/health', 200, 9);
    metric.observe('POST', '/login', 401, 0.2);

    const text = await registry.metrics();
    expect(text).toContain('# TYPE proxdeck_http_request_duration_seconds histogram');
    expect(text).toContain(
      'proxdeck_http_request_duration_seconds_bucket{le="0.002",method="GET",route="/api/health",status="200"} 1',
    );
    expect(text).toContain(
      'proxdeck_http_request_duration_seconds_bucket{le="0.05",method="GET",route="/api/health",status="200"} 2',
    );
    expect(text).toContain(
      'proxdeck_http_request_duration_seconds_bucket{le="5",method="GET",route="/api/health",status="200"} 2',
    );
    expect(text).toContain(
      'proxdeck_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/health",status="200"} 3',
    );
    expect(text).toContain(
      'proxdeck_http_request_duration_seconds_count{method="GET",route="/api/health",status="200"} 3',
    );
    expect(text).toContain(
      'proxdeck_http_request_duration_seconds_sum{method="GET",route="/api/health",status="200"} 9.031',
    );
    expect(text).toContain(
      'proxdeck_http_request_duration_seconds_count{method="POST",route="/login",status="401"} 1',
    );
  });

  it('adds what a route-bound recorder records to the same series as observe', async () => {
    const registry = new Registry();
    const metric = new HttpLatencyMetric();
    registry.registerMetric(metric.asPromMetric());
    const record = metric.recorderFor('GET', '/api/tasks');
    record(200, 0.001);
    record(200, 0.001);
    record(404, 0.3);
    metric.observe('GET', '/api/tasks', 200, 0.001);

    const text = await registry.metrics();
    expect(text).toContain(
      'proxdeck_http_request_duration_seconds_count{method="GET",route="/api/tasks",status="200"} 3',
    );
    expect(text).toContain(
      'proxdeck_http_request_duration_seconds_bucket{le="0.25",method="GET",route="/api/tasks",status="404"} 0',
    );
    expect(text).toContain(
      'proxdeck_http_request_duration_seconds_bucket{le="0.5",method="GET",route="/api/tasks",status="404"} 1',
    );
  });
});
