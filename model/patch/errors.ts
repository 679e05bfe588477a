// The errors of k8s.io/apimachinery pkg/util/mergepatch and strategicpatch (1.32), and how
// kube-apiserver answers them (apiserver pkg/endpoints/handlers/patch.go,
// interpretStrategicMergePatchError): the format errors are 400 BadRequest with the error text,
// lists of lists a generic 422, and everything else is not a metav1.Status at all, so the
// response writer turns it into a 500 with no reason and the error text as message.
import { badRequest, Status } from '../status.js';
import { goSprint, goTypeName } from './go-format.js';
import type { Obj } from './values.js';

type Answer = 'badRequest' | 'invalid' | 'internal';

/** A failed patch computation, kept apart from Status until the caller asks for one. */
export class PatchError {
  constructor(readonly answer: Answer, readonly message: string) {}
}

export type Result<T> = T | PatchError;

export const errBadPatchFormatForPrimitiveList = new PatchError('badRequest', 'invalid patch format of primitive list');
export const errBadPatchFormatForRetainKeys = new PatchError('badRequest', 'invalid patch format of retainKeys');
export const errBadPatchFormatForSetElementOrderList =
  new PatchError('badRequest', 'invalid patch format of setElementOrder list');
export const errNoListOfLists = new PatchError('invalid', 'lists of lists are not supported');

export function internal(message: string): PatchError {
  return new PatchError('internal', message);
}

export function errNoMergeKey(m: Obj, key: string): PatchError {
  return internal(`map: ${goSprint(m)} does not contain declared merge key: ${key}`);
}

/** mergepatch.ErrBadArgType with a typed nil []interface{} or map[string]interface{} as expected. */
export function errBadArgType(expected: 'slice' | 'map', actual: unknown): PatchError {
  const want = expected === 'slice' ? '[]interface {}' : 'map[string]interface {}';
  return internal(`expected a ${want}, but received a ${goTypeName(actual)}`);
}

export function errBadPatchType(directive: unknown, m: Obj): PatchError {
  return internal(`unknown patch type: ${goSprint(directive, 's')} in map: ${goSprint(m)}`);
}

// errors.NewGenericServerResponse(422, ...) keeps only its canned message and an empty details.
const GENERIC_422 = 'the server rejected our request due to an error in our request';

export function toStatus(e: PatchError): Status {
  switch (e.answer) {
    case 'badRequest': return badRequest(e.message);
    case 'invalid': return new Status(422, 'Invalid', GENERIC_422, {});
    case 'internal': return new Status(500, '', e.message);
  }
}
