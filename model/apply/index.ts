// Server-side apply and managedFields (see fieldmanager.ts for the whole picture).

export {
  applyConfiguration, fieldSetOf, recordUpdate, type ApplyOptions, type ManagedFieldsOptions,
} from './fieldmanager.js';
export { fromFieldsV1, toFieldsV1 } from './fieldsv1.js';
export type { ManagedFieldsEntry } from './managed.js';
export { pathString, type Path, type PathElement } from './path.js';
export {
  fieldManagerErrors, FIELD_MANAGER_MAX_LENGTH, invalidPatchOptions, managerFromUserAgent, parseApplyBody, patchOptionsErrors,
} from './request.js';
export { FieldSet } from './set.js';
