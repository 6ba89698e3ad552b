// A real OpenID Connect provider (oidc-provider) on 127.0.0.1, configured for rbk serve's
// tests. It listens on a free port and writes its issuer URL to ISSUER_FILE once ready.
// One confidential client, "rbk" (secret "rbk-test-secret"), whose redirect URI is given,
// and a machine client, "rbk-runner" (secret "rbk-runner-secret", client credentials grant);
// PKCE required; ID tokens signed RS256 with a key made at start, and carrying the
// accounts' claims (preferred_username, groups). The people are ACCOUNTS_JSON
// ({"bob": {"groups": ["ops-team"]}}). Sign-in is the login_hint the client sends (a
// provider whose people have already proven themselves), or, without one, a name typed
// into the provider's own sign-in form (the browser tests): an unknown name is refused.
// Usage: node provider.mjs ISSUER_FILE REDIRECT_URI ACCOUNTS_JSON
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const [issuerFile, redirectUri, accountsJson] = process.argv.slice(2);
const accounts = JSON.parse(accountsJson);

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-1', alg: 'RS256', use: 'sig' };

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'rbk',
    client_secret: 'rbk-test-secret',
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }, {
    // A machine client (OAuth2 client credentials): what a run's credential of type
    // oauth2_client_credentials signs in as.
    client_id: 'rbk-runner',
    client_secret: 'rbk-runner-secret',
    redirect_uris: [],
    response_types: [],
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'groups'],
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'], groups: ['groups'] },
  conformIdTokenClaims: false,  // the claims in the ID token itself
  cookies: { keys: ['rbk-test-cookie-key'] },
  features: { devInteractions: { enabled: false }, clientCredentials: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, id) => (accounts[id] ? {
    accountId: id,
    claims: async () => ({ sub: id, preferred_username: id, name: id, groups: accounts[id].groups }),
  } : undefined),
});

const callback = provider.callback();
server.on('request', async (req, res) => {
  if (!req.url.startsWith('/interaction/')) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      let who = details.params.login_hint;
      if (!who && req.method === 'GET') {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(`<!doctype html><html lang="en"><title>Test identity provider</title>
<form method="post"><label for="login">Who are you?</label>
<input id="login" name="login" autocomplete="username"><button type="submit">Sign in</button></form></html>`);
        return;
      }
      if (!who) {
        let body = '';
        for await (const chunk of req) body += chunk;
        who = new URLSearchParams(body).get('login');
      }
      if (!accounts[who]) {
        res.statusCode = 403;
        res.end(`no such person: ${who}`);
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: who } },
        { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({
      accountId: details.session.accountId, clientId: details.params.client_id,
    });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } },
      { mergeWithLastSubmission: true });
  } catch (e) {
    res.statusCode = 500;
    res.end(String(e));
  }
});
writeFileSync(issuerFile, issuer);
