import { Module } from '@nestjs/common';
import { SpaFallback } from './spa-fallback';

/** The built SPA: its index.html for deep links and the login page. */
@Module({ providers: [SpaFallback], exports: [SpaFallback] })
export class WebModule {}
