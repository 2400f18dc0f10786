import { AuditAppendOnly1795333248400 } from './1795333248400-AuditAppendOnly.js';
import { Initial1795333248302 } from './1795333248302-Initial.js';
// The ordered list of migrations. `npm run migration:generate -- Name` appends to it.
export const MIGRATIONS: Function[] = [Initial1795333248302, AuditAppendOnly1795333248400];
