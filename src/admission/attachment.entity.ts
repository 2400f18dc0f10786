import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A file attached to an application (e.g. the policy document), kept in PostgreSQL with its SHA-256. */
@Entity('application_attachment')
@Index('ix_application_attachment_application', ['applicationId'])
export class ApplicationAttachment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid' }) applicationId: string;
  @Column({ type: 'varchar', length: 200 }) fileName: string;
  @Column({ type: 'varchar', length: 100 }) contentType: string;
  @Column({ type: 'integer' }) sizeBytes: number;
  @Column({ type: 'char', length: 64 }) sha256: string;
  @Column({ type: 'bytea', select: false }) content: Buffer;
  @Column({ type: 'uuid' }) uploadedBy: string;
  @CreateDateColumn({ type: 'timestamptz' }) uploadedAt: Date;
}
