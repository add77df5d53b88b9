// Audience, no cookie.
(() => {
const n = navigator, d = document, t = d.currentScript, e = t && t.dataset.endpoint;
if (!e || n.doNotTrack === "1" || n.globalPrivacyControl) return;
const send = (o) => {
  o.u = location.pathname + location.search;
  o.w = innerWidth;
  const b = JSON.stringify(o);
  if (!(n.sendBeacon && n.sendBeacon(e, b))) fetch(e, {method: "POST", body: b, keepalive: true});
};
let deep = 0, seen = 0, since = d.hidden ? 0 : Date.now(), sent = 0;
const scroll = () => {
  const h = d.documentElement.scrollHeight - innerHeight;
  deep = Math.max(deep, h > 0 ? Math.round(100 * scrollY / h) : 100);
};
const leave = () => {
  if (since) seen += Date.now() - since, since = 0;
  if (!sent++) send({k: "e", d: Math.round(seen / 1e3), s: Math.min(deep, 100)});
};
send({k: "v", r: d.referrer});
scroll();
addEventListener("scroll", scroll, {passive: true});
d.addEventListener("visibilitychange", () => d.hidden ? leave() : since || (since = Date.now()));
addEventListener("pagehide", leave);
})();
