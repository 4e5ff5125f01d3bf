// Signing in with the helpdesk's Supabase accounts, no SDK: the page asks the project's auth API for an
// access token (email and password, with the project's public anon key), or takes one Supabase redirected
// back with (#access_token=...), and chatdesk verifies it and opens a session of its own.
import { request } from "/static/workspace/api.js";
import { t } from "/static/shared/i18n.js";

/** The Supabase project agents may sign in with ({name, url, anon_key}), or null. */
export async function supabaseProvider() {
  try {
    return (await request("GET", "/api/v1/auth/providers")).supabase;
  } catch {
    return null;  // password sign-in works all the same
  }
}

/** chatdesk's session for a Supabase access token; the agent. */
export async function exchangeToken(accessToken) {
  return (await request("POST", "/api/v1/auth/supabase", { access_token: accessToken })).agent;
}

/** Email and password to Supabase, its token to chatdesk; the agent. Supabase's refusal rises in its words. */
export async function signInWithSupabase(provider, email, password) {
  let response;
  try {
    response = await fetch(`${provider.url}/auth/v1/token?grant_type=password`, {
      method: "POST", headers: { "Content-Type": "application/json", apikey: provider.anon_key || "" },
      body: JSON.stringify({ email, password }),
    });
  } catch {
    throw new Error(t("providerUnreachable", { provider: provider.name }));
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new Error(body.error_description || body.msg || body.message || t("providerRefused", { provider: provider.name }));
  }
  return exchangeToken(body.access_token);
}

/** A token in the address after a Supabase redirect (magic link, OAuth), taken out of the address. */
export function redirectedToken() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("access_token");
  if (token) history.replaceState(null, "", location.pathname);
  return token;
}
