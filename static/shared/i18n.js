/** Translations: `t(key, {name})` from the active catalogue (English built into each app, other
    languages JSON files fetched on demand), the page's direction, dates and times in its locale. */

let english = {};
let active = {};
let folder = "";
let language = "en";

/** The app's English strings and the folder holding `<language>.json` for the others. */
export function useCatalogue(strings, url) {
  english = active = strings;
  folder = url;
}

/** Switch to `lang` (English when its catalogue can't be had); marks <html> lang and dir. */
export async function setLanguage(lang = "en") {
  if (lang === language && active !== english) return;
  try {
    const response = lang !== "en" && await fetch(`${folder}/${lang}.json`);
    if (response && !response.ok) throw response;
    active = response ? await response.json() : english;
    language = lang;
  } catch {
    active = english;
    language = "en";
  }
  Object.assign(document.documentElement, { lang: language, dir: dir() });
}

export const lang = () => language;

export const dir = () => (/^(ar|fa|he|ur)\b/.test(language) ? "rtl" : "ltr");

/** The string for `key`, its `{placeholders}` filled from `vars`. */
export const t = (key, vars = {}) =>
  (active[key] ?? english[key] ?? key).replace(/\{(\w+)\}/g, (all, name) => vars[name] ?? all);

export const formatTime = (iso) => new Date(iso).toLocaleTimeString(language, { hour: "numeric", minute: "2-digit" });

/** A date ("medium", "full"...), or date and time with Intl options such as {dateStyle, timeStyle}. */
export const formatDate = (iso, style = "medium") => (typeof style === "string"
  ? new Date(iso).toLocaleDateString(language, { dateStyle: style }) : new Date(iso).toLocaleString(language, style));
