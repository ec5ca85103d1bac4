// RoomKit dev console: one WebSocket to the server, plain DOM, no framework, no build step.
// Every value shown comes from the server and is inserted as text (never as HTML).
"use strict";

const KINDS = ["event", "handoff", "tool", "delivery", "hook", "ephemeral", "framework", "error"];
const MAX_LOG = 2000;   // entries kept in the live pane
const MAX_CHAT = 500;   // messages kept in the chat pane
const MAX_IDS = 5000;   // event ids remembered to show each event once
const $ = (id) => document.getElementById(id);

const state = {
  ws: null, roomId: null, channelId: null, senderId: null,
  shown: new Set(), hidden: new Set(), typingTimer: null, retry: 0,
  pending: [],  // lines of messages sent from this tab, shown before the server stores them
};

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function bounded(list, max) {
  while (list.children.length > max) list.removeChild(list.firstChild);
}

function contentText(content) {
  if (!content) return "";
  if (typeof content.body === "string" && content.body) return content.body;
  if (content.caption) return content.caption;
  if (content.label) return content.label;
  if (content.url) return content.url;
  return content.type ? "[" + content.type + "]" : "";
}

function send(message) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
}

function setStatus(text, ok) {
  const node = $("status");
  node.textContent = text;
  node.classList.toggle("ok", !!ok);
}

// -- chat -----------------------------------------------------------------------------------
function chatLine(cls, who, text, meta) {
  const li = el("li", cls);
  if (who) li.appendChild(el("span", "who", who));
  li.appendChild(el("span", "text", text));
  if (meta) li.appendChild(el("span", "meta", meta));
  $("chat").appendChild(li);
  bounded($("chat"), MAX_CHAT);
  li.scrollIntoView({ block: "end" });
  return li;
}

function showEvent(event) {
  if (!event || !event.id || state.shown.has(event.id)) return;
  state.shown.add(event.id);
  if (state.shown.size > MAX_IDS) state.shown = new Set([...state.shown].slice(-MAX_IDS / 2));
  const source = event.source || {};
  const content = event.content || {};
  if (content.type === "system") {
    chatLine("system", null, contentText(content));
    return;
  }
  const mine = source.channel_id === state.channelId;
  const who = source.participant_id || source.channel_id || "?";
  const waiting = state.pending.findIndex((li) => li.dataset.text === contentText(content));
  if (mine && waiting >= 0) {  // our own message: the line is already there
    const li = state.pending.splice(waiting, 1)[0];
    li.dataset.eventId = event.id;
    li.classList.remove("pending");
    return;
  }
  const li = chatLine(mine ? "mine" : "theirs", who, contentText(content), event.status === "blocked" ? "blocked" : "");
  li.dataset.eventId = event.id;
  li.dataset.channel = source.channel_id || "";
  if (event.status === "blocked") li.classList.add("blocked");
}

function blockLine(li, reason) {
  if (li.classList.contains("blocked")) return;
  li.classList.add("blocked");
  li.appendChild(el("span", "meta", "blocked: " + (reason || "")));
}

function markBlocked(eventId, reason) {
  for (const li of $("chat").children) if (li.dataset.eventId === eventId) blockLine(li, reason);
}

// -- live pane ------------------------------------------------------------------------------
function toolNames(d) {
  const data = d.data || {};
  const calls = Array.isArray(data.tool_calls) ? data.tool_calls : [];
  return calls.map((c) => c.name).join(", ") || data.name || "";
}

function summary(record) {
  const d = record.data || {};
  if (record.kind === "event" || record.kind === "handoff") {
    const src = d.source || {};
    return (src.channel_id || "") + ": " + contentText(d.content);
  }
  if (record.kind === "tool") return toolNames(d) + " by " + (d.user_id || d.channel_id || "");
  if (record.kind === "ephemeral") return (d.user_id || "") + " " + (d.channel_id || "");
  const meta = d.metadata || {};
  if (meta.delivery_result) {
    const r = meta.delivery_result;
    return (r.channel_id || "") + " " + (r.status || "") + (r.error ? " " + r.error : "");
  }
  if (meta.error) return String(meta.error);
  if (d.payload && d.payload.content) return contentText(d.payload.content);
  if (d.channel_id) return d.channel_id + (d.error ? " " + d.error : "") + (d.reason ? " " + d.reason : "");
  if (d.content) return contentText(d.content);
  return "";
}

function logEntry(kind, name, at, text, data) {
  const li = el("li", "k-" + kind);
  li.dataset.kind = kind;
  li.dataset.name = name;
  li.appendChild(el("span", "at", (at || "").slice(11, 23)));
  li.appendChild(el("span", "kind", kind));
  li.appendChild(el("span", "name", name + " "));
  li.appendChild(el("span", "summary", text));
  li.appendChild(el("pre", null, JSON.stringify(data, null, 2)));
  li.addEventListener("click", () => li.classList.toggle("open"));
  if (state.hidden.has(kind)) li.hidden = true;
  const log = $("log");
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 20;
  log.appendChild(li);
  bounded(log, MAX_LOG);
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function onRecord(record) {
  if (record.room_id && record.room_id !== state.roomId) return;
  logEntry(record.kind, record.name, record.at, summary(record), record.data);
  const d = record.data || {};
  if (record.kind === "event") showEvent(d);
  if (record.kind === "handoff") chatLine("system handoff", null, contentText(d.content));
  if (record.kind === "framework" && record.name === "event_blocked") markBlocked(d.event_id, d.reason);
  if (record.kind === "tool") {
    const what = d.type === "tool_call_start" ? " calls " : " finished ";
    chatLine("system tool", null, (d.user_id || "agent") + what + toolNames(d));
  }
  if (record.kind === "ephemeral" && d.type === "typing_start" && d.user_id !== state.senderId) {
    $("typing").textContent = (d.user_id || "someone") + " is typing...";
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(() => { $("typing").textContent = ""; }, 4000);
  }
  if (record.kind === "ephemeral" && d.type === "typing_stop") $("typing").textContent = "";
}

// -- room -----------------------------------------------------------------------------------
function onRooms(rooms) {
  const select = $("room-select");
  const previous = select.value || new URLSearchParams(location.search).get("room");
  select.replaceChildren();
  for (const room of rooms) {
    const option = el("option", null, room.id + " (" + room.channels.length + " channels)");
    option.value = room.id;
    select.appendChild(option);
  }
  if (previous && rooms.some((r) => r.id === previous)) select.value = previous;
  if (!rooms.length) setStatus("connected: no rooms yet", true);
}

function onJoined(message) {
  state.roomId = message.room.id;
  state.channelId = message.channel_id;
  state.senderId = message.sender_id;
  state.shown.clear();
  state.pending = [];
  $("chat").replaceChildren();
  $("log").replaceChildren();
  $("dropped").textContent = "";
  $("chat-channel").textContent = "as " + message.sender_id + " on " + message.channel_id;
  const info = $("room-info");
  info.replaceChildren();
  for (const [key, value] of [["id", message.room.id], ["status", message.room.status]]) {
    info.appendChild(el("dt", null, key));
    info.appendChild(el("dd", null, value));
  }
  $("bindings").replaceChildren(...message.bindings.map((b) =>
    el("li", null, b.channel_id + " \u00b7 " + b.category + (b.muted ? " (muted)" : ""))));
  $("hooks").replaceChildren(...message.hooks.map((h) =>
    el("li", null, (h.name || "(unnamed)") + " \u00b7 " + h.trigger)));
  for (const event of message.timeline) showEvent(event);
  $("message").disabled = false;
  $("send").disabled = false;
  $("message").focus();
  setStatus("in " + state.roomId, true);
}

function onMessage(raw) {
  let message;
  try { message = JSON.parse(raw.data); } catch { return; }
  switch (message.type) {
    case "rooms": onRooms(message.rooms); break;
    case "joined": onJoined(message); break;
    case "record": onRecord(message); break;
    case "delivered":
      if (message.kind === "event") {
        showEvent(message.payload);  // deliveries can come before the AFTER_BROADCAST record
        for (const li of $("chat").children) {
          if (li.dataset.eventId === message.payload.id && !li.dataset.delivered) {
            li.dataset.delivered = "1";
            li.appendChild(el("span", "meta", "\u2713 delivered to " + state.channelId));
          }
        }
      }
      break;
    case "result": {
      const known = message.event_id &&
        [...$("chat").children].find((x) => x.dataset.eventId === message.event_id);
      const li = known || state.pending.shift();
      if (li && message.event_id) li.dataset.eventId = message.event_id;
      if (li) li.classList.remove("pending");
      if (message.blocked && li) {
        blockLine(li, message.reason);
      } else if (message.blocked) {
        chatLine("system blocked", null, "blocked: " + (message.reason || ""));
      }
      if (message.event_id) state.shown.add(message.event_id);
      break;
    }
    case "dropped": $("dropped").textContent = message.count + " records dropped (browser too slow)"; break;
    case "error": chatLine("system error", null, "error: " + message.error); break;
  }
}

function connect() {
  const url = new URL("ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url);
  state.ws = ws;
  ws.addEventListener("open", () => {
    state.retry = 0;
    setStatus("connected", true);
    send({ op: "rooms" });
    if (state.roomId) send({ op: "join", room_id: state.roomId, sender_id: state.senderId });
  });
  ws.addEventListener("message", onMessage);
  ws.addEventListener("close", () => {
    setStatus("disconnected: retrying", false);
    $("message").disabled = true;
    $("send").disabled = true;
    state.retry = Math.min(state.retry + 1, 5);
    setTimeout(connect, 500 * state.retry);
  });
}

function setup() {
  const filters = $("filters");
  for (const kind of KINDS) {
    const label = el("label", "k-" + kind);
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.kind = kind;
    box.addEventListener("change", () => {
      if (box.checked) state.hidden.delete(kind); else state.hidden.add(kind);
      for (const li of $("log").children) if (li.dataset.kind === kind) li.hidden = !box.checked;
    });
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + kind));
    filters.appendChild(label);
  }
  $("join-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const roomId = $("room-select").value;
    if (roomId) send({ op: "join", room_id: roomId, sender_id: $("sender").value || "console-user" });
  });
  $("refresh").addEventListener("click", () => send({ op: "rooms" }));
  let typing = false;
  $("say-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("message").value;
    if (!text.trim()) return;
    if (typing) { typing = false; send({ op: "typing", typing: false }); }
    send({ op: "say", text });
    const li = chatLine("mine pending", state.senderId, text);
    li.dataset.text = text;
    state.pending.push(li);
    if (state.pending.length > 50) state.pending.shift();
    $("message").value = "";
  });
  $("message").addEventListener("input", () => {
    if (!typing && $("message").value) { typing = true; send({ op: "typing", typing: true }); }
    if (typing && !$("message").value) { typing = false; send({ op: "typing", typing: false }); }
  });
  connect();
}

document.addEventListener("DOMContentLoaded", setup);
