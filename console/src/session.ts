import { reactive } from 'vue';

/** Who is logged in, as `POST /auth/login` answered (kept in sessionStorage: gone with the browser tab). */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  permissions: string[];
  unit: { id: string; code: string; name: string; kind: string };
}

const TOKEN = 'cwa.token';
const USER = 'cwa.user';

function storedUser(): SessionUser | null {
  try {
    const raw = sessionStorage.getItem(USER);
    return raw ? (JSON.parse(raw) as SessionUser) : null;
  } catch {
    return null;
  }
}

export const session = reactive<{
  token: string | null;
  user: SessionUser | null;
  /** Why the user was sent back to login (the API's message on an expired or revoked session); never from the URL. */
  notice: string;
}>({
  token: sessionStorage.getItem(TOKEN),
  user: storedUser(),
  notice: '',
});

export function signIn(token: string, user: SessionUser): void {
  session.token = token;
  session.user = user;
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(USER, JSON.stringify(user));
}

const signOutHandlers: (() => void)[] = [];

/** Runs `forget` at every sign-out: what a module cached for this user (unit names…) must not outlive the session. */
export function whenSignedOut(forget: () => void): void {
  signOutHandlers.push(forget);
}

export function signOut(): void {
  for (const forget of signOutHandlers) forget();
  session.token = null;
  session.user = null;
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(USER);
}
