import { Module } from '@nestjs/common';
import { AuditRecorder } from './audit-recorder';
import { AuditTrail } from './audit-trail';

/** The audit trail: the recorder the HTTP pipeline hooks in, and the reader the admin pages use. */
@Module({
  providers: [AuditRecorder, AuditTrail],
  exports: [AuditRecorder, AuditTrail],
})
export class AuditModule {}
