import { SetMetadata } from '@nestjs/common';

export const RAW_RESPONSE = 'proxdeck:raw-response';

/** The handler writes its own response (HTML, SSE, Prometheus text): no envelope. */
export const RawResponse = (): MethodDecorator => SetMetadata(RAW_RESPONSE, true);
