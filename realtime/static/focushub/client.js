// FocusHub's websocket client: one ES module, no build step, no dependencies.
//
// Every frontend needs the same things on top of the protocol (docs/realtime.md):
// reconnecting with backoff, a `since` cursor, de-duplication by event id, a fresh token
// after 4401, replies matched to requests by `ref`. They live here once, served at
// /static/focushub/client.js; the /live page is built on it
// (realtime/static/realtime/live.js), and tests/realtime/test_client.py drives it in
// Chromium through server restarts, token expiry and going offline.

/**
 * @typedef {"connecting" | "live" | "reconnecting" | "offline" | "failed" | "closed"} State
 *   connecting: the first attempt; live: the server has answered and is still answering;
 *   reconnecting: dropped, waiting (`retryIn` ms) or trying again; offline: the browser
 *   has no network (retries when it is back); failed: refused for good (4400, 4403,
 *   4404, or the token provider gave no token); closed: `close()` was called.
 *
 * @typedef {object} StateChange
 * @property {State} state
 * @property {number} [retryIn] reconnecting: ms until the next attempt
 * @property {number} [close] failed: the close code (4400, 4401, 4403, 4404)
 * @property {string} [code] failed: the error code the server gave (`not_found`, ...)
 * @property {string} [detail] failed: the server's message, for people
 *
 * @typedef {object} TokenRequest
 * @property {string | null} refused null, or why the server refused the last token
 *   (`token_expired`, `token_revoked`, `token_invalid`): do not hand the same one again.
 *
 * @callback TokenProvider
 * @param {TokenRequest} request
 * @returns {string | null | undefined | Promise<string | null | undefined>} an access
 *   token; null or undefined when there is none (signed out): the stream fails. A
 *   rejected promise (network down while refreshing) is retried with backoff.
 *
 * @typedef {object} StreamOptions
 * @property {string} [server] the server's origin, e.g. "https://focushub.example";
 *   default: this page's origin (so required outside a browser)
 * @property {TokenProvider} [token] called before every connection attempt; required on
 *   /ws/me, optional elsewhere (spectators)
 * @property {number} [since] resume after this event id (default: start from now)
 * @property {Storage} [storage] keeps the cursor across page loads (e.g. localStorage)
 * @property {string} [storageKey] the key in `storage`; include the user, cursors are
 *   per person
 * @property {{initial?: number, max?: number}} [backoff] ms; default 500 doubling to 10000
 * @property {{interval?: number, timeout?: number}} [heartbeat] ms; default a ping after
 *   15000 quiet, dead after 10000 more without any frame (and a handshake that takes
 *   longer than `timeout` is given up)
 * @property {typeof WebSocket} [WebSocket] the constructor (Node 20:
 *   `(await import("ws")).WebSocket`); default globalThis.WebSocket
 *
 * @typedef {object} UserBrief
 * @property {number} id
 * @property {string} username
 * @property {string} avatar_url "" when there is none
 *
 * @typedef {object} BoardRow
 * @property {number} rank
 * @property {UserBrief} user
 * @property {number} score seconds (metric time) or badges, at the moment of the message
 * @property {string | null} running_since ISO time: a timer running now, counting
 *
 * @typedef {object} Board
 * @property {"time" | "badges"} [metric]
 * @property {"day" | "week" | "month" | "all"} [period]
 * @property {number | null} [project]
 * @property {number} [limit]
 * @property {number} [offset]
 *
 * @typedef {{type: string, id?: number, ref?: string | number | null} & Record<string, any>} Message
 *   one server message as docs/realtime.md shows it
 *
 * @callback Handler
 * @param {any} payload a Message; StateChange for "state"; {since, lastEventId} for "reset"
 * @returns {void}
 */

/** Close codes after which trying again as is cannot help (docs/realtime.md). */
const PERMANENT = new Set([4400, 4403, 4404]);
const UNAUTHORIZED = 4401;
const FLOODED = 4429;
const REMEMBERED_IDS = 2048; // ids kept for de-duplication; a replay restarts at the cursor

/** A refused request (`error` with its `ref`), or one the connection did not survive. */
export class FocusHubError extends Error {
  /**
   * @param {string} code the server's stable code (`not_found`, `validation_error`, ...)
   *   or the client's: `not_connected` (sent while not live), `connection_lost` (the
   *   socket dropped before the answer: the change may or may not have been made, and if
   *   it was, its event arrives after the reconnect)
   * @param {string} detail
   * @param {Record<string, string[]>} [errors] per field, for `validation_error`
   */
  constructor(code, detail, errors) {
    super(`${code}: ${detail}`);
    this.name = "FocusHubError";
    this.code = code;
    this.detail = detail;
    this.errors = errors;
  }
}

/**
 * One resumable socket to a FocusHub stream. Subscribe with `on`; it connects at once and
 * keeps connecting until `close()` or a permanent refusal.
 */
export class Stream {
  #path;
  #params;
  #options;
  #WebSocket;
  /** @type {Map<string, Set<Handler>>} */
  #handlers = new Map();
  /** @type {WebSocket | null} */
  #socket = null;
  #attempt = 0; // failed attempts since the stream was last live: the backoff exponent
  #state = /** @type {State} */ ("connecting");
  #answered = false; // the current socket has had a frame that is not an error
  #everLive = false;
  #refused = /** @type {string | null} */ (null);
  #lastError = /** @type {Message | null} */ (null);
  #retryTimer = /** @type {ReturnType<typeof setTimeout> | null} */ (null);
  #pulseTimer = /** @type {ReturnType<typeof setInterval> | null} */ (null);
  #lastFrameAt = 0;
  #pingedAt = 0;
  #generation = 0; // bumped whenever an attempt is abandoned: late callbacks see a stale one
  #cursor = /** @type {number | null} */ (null);
  #seen = new Set();
  /** @type {Map<string, {resolve: (m: Message) => void, reject: (e: Error) => void}>} */
  #pending = new Map();
  #nextRef = 0;
  #onOnline = () => this.#wake();
  #onOffline = () => this.#goOffline();

  /**
   * @param {string} path e.g. "/ws/me"
   * @param {Record<string, string | number | null | undefined>} params query parameters
   * @param {StreamOptions} [options]
   */
  constructor(path, params, options = {}) {
    this.#path = path;
    this.#params = params;
    this.#options = options;
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    const stored = options.storage?.getItem(this.#storageKey());
    const since = stored != null && /^\d+$/.test(stored) ? Number(stored) : options.since;
    this.#cursor = since ?? null;
    if (typeof globalThis.addEventListener === "function") {
      globalThis.addEventListener("online", this.#onOnline);
      globalThis.addEventListener("offline", this.#onOffline);
    }
    // Handlers are attached right after construction: connect on the next tick.
    this.#schedule(0);
  }

  /** @returns {State} */
  get state() {
    return this.#state;
  }

  /** The newest event id handled: a reconnect resumes after it. */
  get cursor() {
    return this.#cursor;
  }

  /**
   * Call `handler` for every message of `type` (a server message type such as
   * "timer.started" or "leaderboard.update"), or for:
   * - "event": every message that carries an event id, once per id across reconnects,
   *   after the handlers of its own type;
   * - "state": every StateChange;
   * - "reset": {since, lastEventId}, the server's event log went back (a restored
   *   database): drop what you cached from the log and reload it over REST;
   * - "error": an `error` frame that answers no request.
   * @param {string} type
   * @param {Handler} handler
   * @returns {() => void} unsubscribes
   */
  on(type, handler) {
    if (!this.#handlers.has(type)) this.#handlers.set(type, new Set());
    this.#handlers.get(type)?.add(handler);
    return () => this.#handlers.get(type)?.delete(handler);
  }

  /**
   * Send a client message with a fresh `ref`; resolves with the `ok` or `pong` that echoes
   * it, rejects with a FocusHubError for the `error` that does, or when the socket is not
   * live or drops first. Never re-sent by itself: a change is not repeated behind your back.
   * @param {Record<string, unknown> & {type: string}} message
   * @returns {Promise<Message>}
   */
  request(message) {
    const socket = this.#socket;
    if (!socket || !this.#answered || socket.readyState !== 1) {
      return Promise.reject(new FocusHubError("not_connected", `The stream is ${this.#state}.`));
    }
    this.#nextRef += 1;
    const ref = `c${this.#nextRef}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(ref, { resolve, reject });
      socket.send(JSON.stringify({ ...message, ref }));
    });
  }

  /** Stop for good: close the socket, cancel retries, reject what is pending. */
  close() {
    this.#stop({ state: "closed" });
  }

  // -- connecting ------------------------------------------------------------------

  #url() {
    const url = new URL(this.#path, this.#options.server ?? globalThis.location.origin);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    for (const [key, value] of Object.entries(this.#params)) {
      if (value != null && value !== "") url.searchParams.set(key, String(value));
    }
    if (this.#cursor != null) url.searchParams.set("since", String(this.#cursor));
    return url.toString();
  }

  #storageKey() {
    return this.#options.storageKey ?? `focushub:cursor:${this.#path}`;
  }

  #schedule(delay) {
    clearTimeout(this.#retryTimer ?? undefined);
    const generation = this.#generation;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (generation === this.#generation) this.#connect();
    }, delay);
  }

  async #connect() {
    if (isOffline()) {
      this.#setState({ state: "offline" });
      return;
    }
    this.#setState({ state: this.#everLive || this.#attempt ? "reconnecting" : "connecting" });
    const generation = this.#generation;
    const refused = this.#refused;
    /** @type {string[] | undefined} */
    let protocols;
    if (this.#options.token) {
      let token;
      try {
        token = await this.#options.token({ refused });
      } catch {
        // Refreshing failed (the server is down too, the network is gone): try again later.
        if (generation === this.#generation) this.#retry(this.#backoff());
        return;
      }
      if (generation !== this.#generation) return;
      if (token == null) {
        this.#fail({ close: UNAUTHORIZED, code: refused ?? "no_token", detail: "There is no token: sign in again." });
        return;
      }
      protocols = ["bearer", token];
    }
    const socket = new this.#WebSocket(this.#url(), protocols);
    this.#socket = socket;
    this.#answered = false;
    this.#lastError = null;
    this.#lastFrameAt = Date.now();
    this.#pingedAt = 0;
    this.#startPulse();
    socket.onmessage = (frame) => {
      if (this.#socket === socket) this.#receive(JSON.parse(String(frame.data)));
    };
    socket.onclose = (closing) => {
      if (this.#socket === socket) this.#dropped(closing.code, refused);
    };
    // A failed or abandoned connection is handled by its close; Node's `ws` would throw
    // an error event that nobody listens to.
    socket.onerror = () => {};
  }

  /** Forget the current socket (closing it without waiting for its close handshake). */
  #abandon() {
    this.#generation += 1;
    clearTimeout(this.#retryTimer ?? undefined);
    clearInterval(this.#pulseTimer ?? undefined);
    this.#retryTimer = null;
    this.#pulseTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    this.#answered = false;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      socket.close();
    }
    for (const { reject } of this.#pending.values()) {
      reject(new FocusHubError("connection_lost", "The connection dropped before the answer."));
    }
    this.#pending.clear();
  }

  #dropped(code, refusedBefore) {
    const error = this.#lastError;
    const wasLive = this.#answered;
    this.#abandon();
    if (PERMANENT.has(code)) {
      this.#fail({ close: code, code: error?.code, detail: error?.detail });
    } else if (code === UNAUTHORIZED) {
      this.#refused = error?.code ?? "token_invalid";
      // A token that expired under a live stream is replaced at once; a fresh one refused
      // again means something else is wrong: back off like any failure.
      this.#retry(wasLive || refusedBefore === null ? 0 : this.#backoff());
    } else if (code === FLOODED) {
      this.#retry(this.#backoff(Infinity));
    } else {
      this.#retry(this.#backoff());
    }
  }

  /** Exponential backoff with jitter (half to all of the step), so a restarted server is
   * not hit by every client at the same instant. */
  #backoff(exponent = this.#attempt) {
    const initial = this.#options.backoff?.initial ?? 500;
    const max = this.#options.backoff?.max ?? 10000;
    return Math.min(max, initial * 2 ** exponent) * (0.5 + Math.random() / 2);
  }

  #retry(delay) {
    this.#attempt += 1;
    this.#setState({ state: "reconnecting", retryIn: Math.round(delay) });
    this.#schedule(delay);
  }

  #fail(change) {
    this.#stop({ state: "failed", ...change });
  }

  /** @param {StateChange} change closed or failed */
  #stop(change) {
    this.#abandon();
    if (typeof globalThis.removeEventListener === "function") {
      globalThis.removeEventListener("online", this.#onOnline);
      globalThis.removeEventListener("offline", this.#onOffline);
    }
    this.#setState(change);
  }

  #goOffline() {
    this.#abandon();
    this.#setState({ state: "offline" });
  }

  #wake() {
    if (this.#state !== "offline") return;
    this.#attempt = 0;
    this.#schedule(0);
  }

  // -- liveness ----------------------------------------------------------------------

  /** Browsers do not report a connection that died silently (a suspended laptop, a
   * frozen server): ping after a quiet spell and give the socket up when nothing at all
   * comes back. */
  #startPulse() {
    const interval = this.#options.heartbeat?.interval ?? 15000;
    const timeout = this.#options.heartbeat?.timeout ?? 10000;
    clearInterval(this.#pulseTimer ?? undefined);
    this.#pulseTimer = setInterval(() => {
      const quiet = Date.now() - this.#lastFrameAt;
      if (quiet >= (this.#answered ? interval + timeout : timeout)) {
        this.#dropped(1006, this.#refused);
      } else if (this.#answered && quiet >= interval && this.#pingedAt < this.#lastFrameAt) {
        this.#pingedAt = Date.now();
        this.#socket?.send(JSON.stringify({ type: "ping" }));
      }
    }, Math.min(interval, timeout) / 2);
  }

  // -- receiving ---------------------------------------------------------------------

  /** @param {Message} message */
  #receive(message) {
    this.#lastFrameAt = Date.now();
    const waiting = message.ref != null ? this.#pending.get(String(message.ref)) : undefined;
    if (waiting) {
      this.#pending.delete(String(message.ref));
      if (message.type === "error") {
        waiting.reject(new FocusHubError(message.code, message.detail, message.errors));
      } else {
        waiting.resolve(message);
      }
      return;
    }
    if (message.type === "error") {
      this.#lastError = message;
      this.#emit("error", message);
      return;
    }
    if (!this.#answered) {
      this.#answered = true;
      this.#everLive = true;
      this.#attempt = 0;
      this.#refused = null;
      this.#setState({ state: "live" });
    }
    if (message.type === "hello") this.#hello(message.last_event_id);
    if (typeof message.id === "number") {
      if (this.#seen.has(message.id)) return;
      this.#remember(message.id);
      this.#emit(message.type, message);
      this.#emit("event", message);
      if (this.#cursor == null || message.id > this.#cursor) this.#moveCursor(message.id);
    } else {
      this.#emit(message.type, message);
    }
  }

  /** A first connection starts at the server's newest event; a resumed one replays after
   * its cursor, and a newest event below the cursor means the log was reset. */
  #hello(lastEventId) {
    if (this.#cursor == null) {
      this.#moveCursor(lastEventId);
    } else if (lastEventId < this.#cursor) {
      const since = this.#cursor;
      this.#seen.clear();
      this.#moveCursor(lastEventId);
      this.#emit("reset", { since, lastEventId });
    }
  }

  #remember(id) {
    this.#seen.add(id);
    if (this.#seen.size > REMEMBERED_IDS) this.#seen.delete(this.#seen.values().next().value);
  }

  #moveCursor(id) {
    this.#cursor = id;
    this.#options.storage?.setItem(this.#storageKey(), String(id));
  }

  /** @param {StateChange} change */
  #setState(change) {
    this.#state = change.state;
    this.#emit("state", change);
  }

  #emit(type, payload) {
    for (const handler of [...(this.#handlers.get(type) ?? [])]) {
      try {
        handler(payload);
      } catch (error) {
        report(error);
      }
    }
  }
}

/** The signed-in user's stream, with the timer messages as promises. */
export class MeStream extends Stream {
  /**
   * Start a timer (a running one stops at the same instant).
   * @param {number} project
   * @param {string} [description]
   * @returns {Promise<Message>} the `ok`: {entry, stopped}
   */
  startTimer(project, description) {
    return this.request({ type: "timer.start", project, ...(description == null ? {} : { description }) });
  }

  /** @returns {Promise<Message>} the `ok`: {entry} */
  stopTimer() {
    return this.request({ type: "timer.stop" });
  }
}

/**
 * /ws/me: your timers, timeline, badges and rank.
 * @param {StreamOptions & {token: TokenProvider}} options
 */
export function openMe(options) {
  return new MeStream("/ws/me", {}, options);
}

/**
 * /ws/leaderboard: a live board (`leaderboard.snapshot`, then `leaderboard.update`).
 * @param {StreamOptions & {board?: Board}} [options]
 */
export function openLeaderboard(options = {}) {
  const { metric, period, project, limit, offset } = options.board ?? {};
  return new Stream("/ws/leaderboard", { metric, period, project, limit, offset }, options);
}

/**
 * /ws/projects/{id}: presence and the project's timeline.
 * @param {number} project
 * @param {StreamOptions} [options]
 */
export function openProject(project, options = {}) {
  return new Stream(`/ws/projects/${encodeURIComponent(project)}`, {}, options);
}

const PERIOD_STARTS = {
  day: (day) => day,
  week: (day, date) => day - ((date.getUTCDay() + 6) % 7) * 86400000, // ISO weeks start on Monday
  month: (day, date) => Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
  all: () => 0,
};

/**
 * When the board's period began, in ms since the epoch (periods are UTC).
 * @param {"day" | "week" | "month" | "all"} period
 * @param {number} [now]
 */
export function periodStart(period, now = Date.now()) {
  const date = new Date(now);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  return PERIOD_STARTS[period](day, date);
}

/**
 * A row's score now: the server sends nothing per second, so a running timer is ticked
 * locally, counting only from the start of the period.
 * @param {BoardRow} row
 * @param {{metric: string, period: "day" | "week" | "month" | "all"}} board the message's
 * @param {number} [now]
 */
export function liveScore(row, board, now = Date.now()) {
  if (board.metric !== "time" || !row.running_since) return row.score;
  const since = Math.max(Date.parse(row.running_since), periodStart(board.period, now));
  return row.score + Math.max(0, Math.floor((now - since) / 1000));
}

function isOffline() {
  return globalThis.navigator?.onLine === false;
}

/** Surface an error without breaking the stream (the console, window.onerror). */
function report(error) {
  setTimeout(() => {
    throw error;
  });
}
