import type { SecretRef } from '../../config/secrets.js';
import { act, defineKind, type Change, type ExecContext, type KindContext } from '../types.js';

const actions = {
  /** log in to the token with the PIN the manifest references (nothing when already logged in) */
  'token-login': async (ctx: ExecContext, p: { tokenId: string; pin: SecretRef | null }) => {
    const t = await ctx.api.getToken(p.tokenId);
    if (t.logged_in) return;
    const pin = await ctx.secret(p.pin, `token ${p.tokenId} PIN`);
    await ctx.api.loginToken(p.tokenId, pin);
  },
};

/** Token login: the software token must be logged in for any key to work (and after every restart). */
export const tokenKind = defineKind({
  name: 'token',
  scope: 'security',
  actions,
  dependsOn: () => [],
});

export function tokenChangeId(server: string, tokenId: string): string {
  return `${server}/token/${tokenId}`;
}

export function diffToken({ server, actual }: KindContext): Change[] {
  if (!server.token.login) return [];
  const t = actual.tokens.find((x) => x.id === server.token.id);
  if (t?.logged_in) return [];
  return [
    {
      id: tokenChangeId(server.name, server.token.id),
      server: server.name,
      kind: 'token',
      key: server.token.id,
      op: 'update',
      summary: `log in to token ${server.token.id}`,
      diff: { loggedIn: { from: false, to: true } },
      step: true,
      dependsOn: [],
      action: act(actions, 'token-login', { tokenId: server.token.id, pin: server.token.pin ?? null }),
      pos: server.pos,
    },
  ];
}
