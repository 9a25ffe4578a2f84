import { Global, Module } from '@nestjs/common';
import { SpaFallback } from './spa-fallback';

@Global()
@Module({ providers: [SpaFallback], exports: [SpaFallback] })
export class WebModule {}
