// fetch() wrapper: JSON in, JSON out, and the API's {"error": {"code", "message"}} turned into an ApiError.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Call the API; `key` (optional) travels as `Authorization: Bearer KEY`. */
export async function api(method, path, { body, key, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (key) headers.Authorization = `Bearer ${key}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, "network", err.message || "network error");
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const error = payload && payload.error ? payload.error : {};
    throw new ApiError(response.status, error.code || `http_${response.status}`, error.message || response.statusText);
  }
  return payload;
}

/** An OpenStreetMap link for a point, or a search by name when the point is unknown. */
export function mapUrl(lat, lon, name) {
  if (Number.isFinite(lat) && Number.isFinite(lon)) {
    return `https://www.openstreetmap.org/?mlat=${lat.toFixed(5)}&mlon=${lon.toFixed(5)}#map=16/${lat.toFixed(5)}/${lon.toFixed(5)}`;
  }
  return `https://www.openstreetmap.org/search?query=${encodeURIComponent(name || "")}`;
}

const shopCache = new Map();

/** The catalog entry of a shop (`lat`, `lon`, `name_en`, `name_zh` ...), fetched once per page. */
export function shopInfo(shopId) {
  if (!shopCache.has(shopId)) {
    const pending = api("GET", `/v1/shops/${encodeURIComponent(shopId)}`).catch((err) => {
      shopCache.delete(shopId);
      throw err;
    });
    shopCache.set(shopId, pending);
  }
  return shopCache.get(shopId);
}
