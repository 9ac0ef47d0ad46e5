import { NextResponse } from "next/server";

const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Temporarily unavailable</title></head>
<body style="font-family: system-ui, sans-serif; margin: 4rem auto;
  max-width: 32rem; line-height: 1.5">
<h1>Temporarily unavailable</h1>
<p>We cannot load your account right now. Nothing was changed.
Please try again in a minute.</p>
</body>
</html>`;

/** A plain 503 that asks clients to come back, for pages and the API. */
export function unavailablePage(api: boolean): NextResponse {
  const headers = { "retry-after": "30", "cache-control": "no-store" };
  return api
    ? NextResponse.json(
        { error: "temporarily-unavailable" },
        { status: 503, headers },
      )
    : new NextResponse(html, {
        status: 503,
        headers: { ...headers, "content-type": "text/html; charset=utf-8" },
      });
}
