import type { Change, Executor, KindContext } from '../types.js';

/** Token login: the software token must be logged in for any key to work (and after every restart). */
export function diffToken({ server, actual }: KindContext): Change[] {
  if (!server.token.login) return [];
  const t = actual.tokens.find((x) => x.id === server.token.id);
  if (t?.logged_in) return [];
  return [
    {
      id: `${server.name}/token/${server.token.id}`,
      server: server.name,
      kind: 'token',
      key: server.token.id,
      op: 'update',
      summary: `log in to token ${server.token.id}`,
      diff: { loggedIn: { from: false, to: true } },
      phase: 10,
      action: { type: 'token-login', params: { tokenId: server.token.id, pin: server.token.pin ?? null } },
      pos: server.pos,
    },
  ];
}

export const tokenExecutors: Record<string, Executor> = {
  'token-login': async (ctx, p) => {
    const t = await ctx.api.getToken(p.tokenId);
    if (t.logged_in) return;
    const pin = await ctx.secret(p.pin, `token ${p.tokenId} PIN`);
    await ctx.api.loginToken(p.tokenId, pin);
  },
};
