import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A sample form (证明式样) of a stamp-list entry: the file a committee's certificate should look like (民发〔2020〕20号:
 * each retained certificate has a service guide with its sample form). Kept in PostgreSQL with its SHA-256, never
 * changed: an entry names it by id (`stamp_entry.sample_form_attachment_id`). Public once a published entry version
 * names it; before that only its unit and the approvers of a proposal naming it may read it.
 */
@Entity('stamp_sample_form')
@Index('ix_stamp_sample_form_unit', ['uploadedByUnit'])
export class StampSampleForm {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 200 }) fileName: string;
  @Column({ type: 'varchar', length: 100 }) contentType: string;
  @Column({ type: 'integer' }) sizeBytes: number;
  @Column({ type: 'char', length: 64 }) sha256: string;
  @Column({ type: 'bytea', select: false }) content: Buffer;
  @Column({ type: 'uuid' }) uploadedBy: string;
  @Column({ type: 'timestamptz' }) uploadedAt: Date;
  /** The office that uploaded it: only it may name the form in a proposal. */
  @Column({ type: 'uuid' }) uploadedByUnit: string;
}
