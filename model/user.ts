/** An authenticated user, as k8s.io/apiserver/pkg/authentication/user.Info describes one. */
export interface UserInfo {
  readonly name: string;
  readonly uid: string;
  readonly groups: readonly string[];
}
