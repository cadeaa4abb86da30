// Talking to the dashboard's server: JSON requests (POSTs carry this run's
// token, which the server wrote into the page) and the stream of events.

const token = document.querySelector('meta[name="dashboard-token"]').content;

/** GET /api/<path>?query; resolves to the JSON answer, rejects with the server's message. */
export async function get(path, query = {}) {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''));
  return answer(await fetch(`/api/${path}${params.size ? `?${params}` : ''}`));
}

/** POST /api/<path> with a JSON body. */
export async function post(path, body) {
  return answer(await fetch(`/api/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Dashboard-Token': token },
    body: JSON.stringify(body),
  }));
}

async function answer(response) {
  const body = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

/**
 * The server's events for a page that follows `keys`: hello (once per
 * connection), state (about twice a second), log (as things happen).
 * EventSource reconnects by itself; following other keys reconnects.
 */
export function connect(keys, handlers) {
  const params = new URLSearchParams(keys.map((k) => ['key', k]));
  const source = new EventSource(`/api/events${keys.length ? `?${params}` : ''}`);
  for (const event of ['hello', 'state', 'log']) {
    source.addEventListener(event, (e) => handlers[event]?.(JSON.parse(e.data)));
  }
  source.addEventListener('open', () => handlers.open?.());
  source.addEventListener('error', () => handlers.error?.());
  return () => source.close();
}
