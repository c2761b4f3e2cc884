// The Courtyard sandbox page: plain JavaScript, no build step.
//
// The server sends a snapshot over the WebSocket, then every change; this file keeps one
// copy of that state and redraws from it. Safety rule: text from people and the bot goes
// into the page with textContent only. The one exception is a message's `safe_html`, which
// the emulator re-renders from Telegram entities (every character escaped, known tags only).
"use strict";

(() => {
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const $ = (id) => document.getElementById(id);
  const PALETTE = ["#b6463a", "#2f6fb0", "#8a5a00", "#6b3fa0", "#1f7a57", "#a23f7a", "#3d6b7a"];
  const MENU_CODES = { ru: "ru", "zh-hans": "zh", zh: "zh" };
  const MAX_TEXT = 4096;
  const PHONE = window.matchMedia("(max-width: 820px)"); // style.css's small-screen layout

  const state = {
    lang: boot.lang,
    labels: boot.labels,
    bot: null,
    users: new Map(),
    chats: new Map(),
    messages: new Map(), // chat id → Map(message id → message)
    commands: {},
    communities: new Map(), // group chat id → { timezone, kinds } as the bot has it, or null
    clock: null,
    clockReceivedAt: 0,
    userId: Number(localStorage.getItem("courtyard.user")) || null,
    groupId: Number(localStorage.getItem("courtyard.group")) || null,
    view: localStorage.getItem("courtyard.view") === "private" ? "private" : "group",
    unread: new Map(),
    apiErrors: [],
    typingTimer: null,
    pinned: true, // the message list is scrolled to the bottom and should stay there
  };

  // -- labels -------------------------------------------------------------------------------

  function label(key, values) {
    let text = state.labels[key] || key;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  }

  function applyLabels() {
    document.documentElement.lang = state.lang.replace("_", "-");
    document.title = label("app_title");
    for (const node of document.querySelectorAll("[data-t]")) node.textContent = label(node.dataset.t);
    for (const node of document.querySelectorAll("[data-t-placeholder]")) {
      node.placeholder = label(node.dataset.tPlaceholder);
    }
    for (const node of document.querySelectorAll("[data-t-aria-label]")) {
      node.setAttribute("aria-label", label(node.dataset.tAriaLabel));
    }
  }

  function locale() {
    return state.lang === "zh_Hans" ? "zh-Hans" : state.lang;
  }

  // -- small DOM helpers --------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  const ICONS = {
    people: "M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zm7 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM2 20c0-3.9 3.1-6 7-6s7 2.1 7 6zm15 0c0-2.2-.8-4-2.2-5.2 3.5-.3 6.2 1.4 6.2 5.2z",
    trash: "M9 3h6l1 2h4v2H4V5h4zm-3 6h12l-1 12H7z",
    document: "M6 2h8l5 5v15H6zm7 1.5V8h4.5z",
    house: "M3 11.5 12 4l9 7.5V21h-6.5v-6h-5v6H3z",
  };

  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.classList.add("icon");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  function colorFor(id) {
    return PALETTE[Math.abs(Number(id)) % PALETTE.length];
  }

  function avatar(name, id, extra) {
    const node = el("span", { class: "avatar " + (extra || ""), "aria-hidden": "true" });
    node.textContent = Array.from(name || "?")[0].toUpperCase();
    node.style.background = colorFor(id);
    return node;
  }

  // -- talking to the server ----------------------------------------------------------------

  async function api(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      showNotice(label("unreachable"));
      return null;
    }
    let answer = null;
    try {
      answer = await response.json();
    } catch (error) {
      answer = { ok: false, description: response.status + " " + response.statusText };
    }
    if (!answer.ok) {
      showNotice(label("refused") + " " + (answer.description || response.statusText));
      return null;
    }
    hideNotice();
    return answer.result;
  }

  function showNotice(text) {
    $("notice-text").textContent = text;
    $("notice").hidden = false;
  }

  function hideNotice() {
    $("notice").hidden = true;
  }

  // A toast shows over the chat, at its top unless what was pressed (``anchor``) is in the
  // upper half: then at its bottom, above the composer. It never covers the buttons it answers.
  function toast(text, alert, anchor) {
    const node = el("div", { class: "toast" + (alert ? " alert" : ""), text });
    if (alert) {
      node.append(el("button", { type: "button", class: "chip", text: "OK", onclick: () => node.remove() }));
    } else {
      setTimeout(() => node.remove(), 3500);
    }
    const toasts = $("toasts");
    placeToasts(toasts, anchor);
    toasts.append(node);
    while (toasts.children.length > 3) toasts.firstElementChild.remove();
  }

  function placeToasts(toasts, anchor) {
    const area = $("messages").getBoundingClientRect();
    const pressed = anchor ? anchor.getBoundingClientRect() : null;
    const upper = pressed && pressed.top + pressed.height / 2 < area.top + area.height / 2;
    toasts.style.left = area.left + area.width / 2 + "px";
    toasts.style.top = upper ? "auto" : area.top + 12 + "px";
    toasts.style.bottom = upper ? window.innerHeight - area.bottom + 12 + "px" : "auto";
    toasts.style.flexDirection = upper ? "column-reverse" : "column";
  }

  // -- live feed ----------------------------------------------------------------------------

  let retry = 500;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/api/live");
    socket.addEventListener("message", (event) => {
      retry = 500;
      handle(JSON.parse(event.data));
    });
    socket.addEventListener("close", () => {
      $("chat-status").textContent = label("reconnecting");
      document.body.classList.add("offline");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    });
  }

  function handle(event) {
    switch (event.type) {
      case "snapshot":
        loadSnapshot(event);
        break;
      case "message":
      case "edit":
        putMessage(event.message, event.type === "message");
        break;
      case "delete": {
        const chat = state.messages.get(event.chat_id);
        if (chat) chat.delete(event.message_id);
        const node = document.querySelector(
          `#messages [data-chat-id="${event.chat_id}"][data-message-id="${event.message_id}"]`,
        );
        if (node) node.remove();
        break;
      }
      case "chat":
        state.chats.set(event.chat.id, event.chat);
        renderSidebar();
        renderHeader();
        break;
      case "user":
        state.users.set(event.user.id, event.user);
        renderSidebar();
        renderHeader();
        break;
      case "chat_action":
        if (event.chat_id === currentChatId()) showTyping();
        break;
      case "commands":
        state.commands = event.commands;
        break;
      case "clock":
        setClock(event.clock);
        break;
      case "community":
        state.communities.set(event.chat_id, event.community);
        renderSidebar();
        renderClock();
        restamp();
        break;
      case "api_error":
        state.apiErrors.push(event);
        renderApiErrors();
        break;
      default:
        break;
    }
  }

  function loadSnapshot(snapshot) {
    document.body.classList.remove("offline");
    state.bot = snapshot.bot;
    state.users = new Map(snapshot.users.map((user) => [user.id, user]));
    state.chats = new Map(snapshot.chats.map((chat) => [chat.id, chat]));
    state.messages = new Map();
    for (const [chatId, list] of Object.entries(snapshot.messages)) {
      state.messages.set(Number(chatId), new Map(list.map((m) => [m.message_id, m])));
    }
    state.commands = snapshot.commands;
    state.communities = new Map(
      Object.entries(snapshot.communities || {}).map(([chatId, facts]) => [Number(chatId), facts]),
    );
    setClock(snapshot.clock);
    const groups = groupChats();
    if (!state.chats.has(state.groupId) && groups.length) state.groupId = groups[0].id;
    if (!state.users.has(state.userId)) {
      const group = state.chats.get(state.groupId);
      state.userId = group && group.owner_id ? group.owner_id : (snapshot.users[0] || {}).id || null;
    }
    renderAll();
  }

  function putMessage(message, isNew) {
    if (!state.messages.has(message.chat_id)) state.messages.set(message.chat_id, new Map());
    state.messages.get(message.chat_id).set(message.message_id, message);
    if (message.chat_id === currentChatId()) {
      const list = $("messages");
      const old = list.querySelector(
        `[data-chat-id="${message.chat_id}"][data-message-id="${message.message_id}"]`,
      );
      const node = renderMessage(message);
      if (old) old.replaceWith(node);
      else {
        const empty = list.querySelector(".empty");
        if (empty) empty.remove();
        list.append(node);
        if (state.pinned || message.from_user === state.userId) scrollToEnd();
      }
      if (message.is_bot) hideTyping();
    } else if (isNew) {
      state.unread.set(message.chat_id, (state.unread.get(message.chat_id) || 0) + 1);
      renderSidebar();
      renderTabs();
    }
  }

  // -- what is shown ------------------------------------------------------------------------

  function groupChats() {
    return Array.from(state.chats.values()).filter((chat) => chat.type !== "private");
  }

  function currentChatId() {
    return state.view === "private" ? state.userId : state.groupId;
  }

  function currentUser() {
    return state.users.get(state.userId) || null;
  }

  function remember() {
    localStorage.setItem("courtyard.user", String(state.userId || ""));
    localStorage.setItem("courtyard.group", String(state.groupId || ""));
    localStorage.setItem("courtyard.view", state.view);
  }

  function renderAll() {
    renderSidebar();
    renderHeader();
    renderMessages();
    renderApiErrors();
  }

  function renderSidebar() {
    const groups = $("group-list");
    groups.replaceChildren(
      ...groupChats().map((chat) => {
        const unread = state.unread.get(chat.id) || 0;
        const current = chat.id === state.groupId;
        return el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              class: "item" + (current ? " current" : ""),
              "aria-current": current ? "true" : null,
              dataset: { chatId: String(chat.id) },
              onclick: () => openGroup(chat.id),
            },
            avatar(chat.title, chat.id, "square"),
            el(
              "span",
              { class: "item-text" },
              el("span", { class: "item-name", text: chat.title || "" }),
              el("span", { class: "item-meta" }, icon("people"), document.createTextNode(" " + chat.members.length)),
            ),
            unread ? el("span", { class: "badge", text: String(unread) }) : null,
          ),
        );
      }),
    );

    const group = state.chats.get(state.groupId);
    const community = currentCommunity();
    const people = $("people-list");
    people.replaceChildren(
      ...Array.from(state.users.values()).map((user) => {
        const current = user.id === state.userId;
        const inGroup = group && group.members.includes(user.id);
        // The kind is the bot's: its roster for this group, never a guess of the page's.
        const kind = community ? community.kinds[String(user.id)] : undefined;
        const tags = [user.language_code || "—"];
        if (kind) tags.push(label(kind));
        else if (community && inGroup) tags.push(label("not_on_roster"));
        if (group && group.admins.includes(user.id)) tags.push(label("admin"));
        const unread = state.unread.get(user.id) || 0;
        return el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              class: "item person" + (current ? " current" : "") + (inGroup ? "" : " outside"),
              "aria-pressed": current ? "true" : "false",
              dataset: { userId: String(user.id) },
              onclick: () => selectUser(user.id),
            },
            avatar(user.name, user.id),
            el(
              "span",
              { class: "item-text" },
              el("span", { class: "item-name", text: user.name }),
              el("span", {
                class: "item-meta",
                text: tags.join(" · ") + (inGroup || !group ? "" : " · " + label("not_in_group")),
              }),
            ),
            unread ? el("span", { class: "badge", title: label("private_chat"), text: String(unread) }) : null,
          ),
        );
      }),
    );
  }

  function renderTabs() {
    const group = state.chats.get(state.groupId);
    const user = currentUser();
    const groupTab = $("tab-group");
    const privateTab = $("tab-private");
    groupTab.setAttribute("aria-selected", String(state.view === "group"));
    privateTab.setAttribute("aria-selected", String(state.view === "private"));
    groupTab.textContent = label("group_chat") + (group ? " · " + group.title : "");
    const unread = user ? state.unread.get(user.id) || 0 : 0;
    privateTab.textContent = label("private_chat") + (unread ? " (" + unread + ")" : "");
    groupTab.disabled = !group;
    privateTab.disabled = !user;
  }

  function renderHeader() {
    const user = currentUser();
    const group = state.chats.get(state.groupId);
    renderTabs();
    $("playing-name").textContent = user ? user.name : "—";
    const membership = $("membership");
    if (state.view === "group" && group && user) {
      const inGroup = group.members.includes(user.id);
      membership.hidden = false;
      membership.textContent = label(inGroup ? "leave_group" : "join_group");
      membership.dataset.action = inGroup ? "leave" : "join";
    } else {
      membership.hidden = true;
    }
    if (state.view === "private") {
      $("chat-title").textContent = (user ? user.name : "") + " ↔ " + (state.bot ? state.bot.first_name : "");
    } else {
      $("chat-title").textContent = group ? group.title : "";
    }
    if (!document.body.classList.contains("offline")) $("chat-status").textContent = "";
    const canWrite = user && (state.view === "private" || (group && group.members.includes(user.id)));
    $("text").disabled = !canWrite;
    $("send").disabled = !canWrite;
  }

  function renderMessages() {
    const chatId = currentChatId();
    state.unread.delete(chatId);
    const list = $("messages");
    const messages = Array.from((state.messages.get(chatId) || new Map()).values()).sort(
      (a, b) => a.message_id - b.message_id,
    );
    const nodes = messages.map(renderMessage);
    if (!nodes.length) {
      nodes.push(el("li", { class: "empty", text: label(state.view === "private" ? "private_empty" : "no_messages") }));
    }
    const group = state.chats.get(state.groupId);
    const user = currentUser();
    if (state.view === "group" && group && user && !group.members.includes(user.id)) {
      nodes.push(el("li", { class: "empty", text: label("not_member_hint", { name: user.name }) }));
    }
    list.replaceChildren(...nodes);
    scrollToEnd();
    renderSidebar();
  }

  function scrollToEnd() {
    const list = $("messages");
    list.scrollTop = list.scrollHeight;
    state.pinned = true;
  }

  function nameOf(userId) {
    if (state.bot && userId === state.bot.id) return state.bot.first_name;
    const user = state.users.get(userId);
    return user ? user.name : String(userId);
  }

  // -- time: the open group's community zone, as the bot speaks it (UTC before /setup) ------

  function currentCommunity() {
    return state.communities.get(state.groupId) || null;
  }

  function zone() {
    const community = currentCommunity();
    return community && community.timezone ? community.timezone : "UTC";
  }

  function formatIn(date, options) {
    try {
      return new Intl.DateTimeFormat(locale(), { ...options, timeZone: zone() }).format(date);
    } catch (error) {
      return new Intl.DateTimeFormat(locale(), { ...options, timeZone: "UTC" }).format(date);
    }
  }

  function formatTime(iso, withDate) {
    const options = withDate ? { dateStyle: "medium", timeStyle: "short" } : { timeStyle: "short" };
    const text = formatIn(new Date(iso), options);
    return withDate ? text + " (" + zone() + ")" : text;
  }

  // The wall time in the zone as a datetime-local value ("2026-05-01T09:00").
  function wallTime(date) {
    const parts = {};
    const format = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone(), year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
    for (const part of format.formatToParts(date)) parts[part.type] = part.value;
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
  }

  function restamp() {
    for (const node of document.querySelectorAll("#messages .meta time[datetime]")) {
      node.textContent = formatTime(node.dateTime, false);
      node.title = formatTime(node.dateTime, true);
    }
  }

  function renderMessage(message) {
    const base = { "data-chat-id": String(message.chat_id), "data-message-id": String(message.message_id) };
    if (message.text === null && !message.has_photo && !message.has_document) {
      const joined = message.new_chat_members.map(nameOf).join(", ");
      const text = message.left_chat_member
        ? label("left", { name: nameOf(message.left_chat_member) })
        : label("joined", { name: joined });
      return el("li", { ...base, class: "service" }, el("span", { text }));
    }
    const mine = message.from_user === state.userId && !message.is_bot;
    const node = el("li", {
      ...base,
      class: "message" + (message.is_bot ? " from-bot" : "") + (mine ? " mine" : ""),
    });
    if (message.is_bot) {
      node.append(el("span", { class: "avatar bot", "aria-hidden": "true" }, icon("house")));
    } else if (!mine) {
      node.append(avatar(message.from_name, message.from_user));
    }
    const bubble = el("div", { class: "bubble" });
    const sender = el("div", { class: "sender" }, el("span", { text: message.from_name }));
    sender.firstChild.style.color = message.is_bot ? "" : colorFor(message.from_user);
    if (message.is_bot) sender.append(el("span", { class: "tag", text: label("bot") }));
    bubble.append(sender);
    const replied = message.reply_to && (state.messages.get(message.chat_id) || new Map()).get(message.reply_to);
    if (replied) {
      const quoted = replied.text || replied.caption || "";
      bubble.append(
        el(
          "div",
          { class: "reply-preview" },
          el("strong", { text: replied.from_name }),
          el("span", { text: quoted.length > 90 ? quoted.slice(0, 90) + "…" : quoted }),
        ),
      );
    }
    if (message.has_photo && message.file_url) {
      bubble.append(
        el("img", {
          class: "photo",
          src: message.file_url,
          alt: label("image_from_bot"),
          onload: () => {
            if (state.pinned) scrollToEnd();
          },
        }),
      );
    }
    if (message.has_document && message.file_url) {
      const name = message.document_name || "file";
      bubble.append(
        el(
          "a",
          {
            class: "document",
            href: message.file_url + "?name=" + encodeURIComponent(name),
            download: name,
            "aria-label": label("download", { name }),
          },
          icon("document"),
          el("span", { text: name }),
        ),
      );
    }
    const html = message.safe_html !== null ? message.safe_html : message.safe_caption_html;
    if (html) {
      const body = el("div", { class: "text" });
      body.innerHTML = html; // sanitised by the emulator: escaped text, entity tags only
      for (const link of body.querySelectorAll("a")) link.rel = "noopener noreferrer";
      bubble.append(body);
    }
    if (message.buttons && message.buttons.length) {
      const keyboard = el("div", { class: "keyboard" });
      for (const row of message.buttons) {
        const rowNode = el("div", { class: "keyboard-row" });
        for (const button of row) rowNode.append(renderButton(message, button));
        keyboard.append(rowNode);
      }
      bubble.append(keyboard);
    }
    if (message.reply_keyboard && message.reply_keyboard.length) {
      const keys = el("div", { class: "keyboard reply" });
      for (const row of message.reply_keyboard) {
        const rowNode = el("div", { class: "keyboard-row" });
        for (const text of row) {
          rowNode.append(el("button", { type: "button", class: "key", text, onclick: () => send(text) }));
        }
        keys.append(rowNode);
      }
      bubble.append(keys);
    }
    const meta = el("div", { class: "meta" });
    if (message.edited) meta.append(el("span", { class: "edited", text: label("edited") }));
    meta.append(el("time", { datetime: message.date, text: formatTime(message.date, false), title: formatTime(message.date, true) }));
    if (mayDelete(message)) {
      meta.append(
        el("button", {
          type: "button",
          class: "delete",
          "aria-label": label("delete"),
          title: label("delete"),
          onclick: () => api("DELETE", `/api/chats/${message.chat_id}/messages/${message.message_id}?user_id=${state.userId}`),
        }, icon("trash")),
      );
    }
    bubble.append(meta);
    node.append(bubble);
    return node;
  }

  function mayDelete(message) {
    const chat = state.chats.get(message.chat_id);
    if (!chat || !state.userId) return false;
    if (chat.type === "private") return true;
    return message.from_user === state.userId || chat.admins.includes(state.userId);
  }

  function renderButton(message, button) {
    if (button.url) {
      return el("a", { class: "key link", href: button.url, target: "_blank", rel: "noopener noreferrer", text: button.text + " ↗" });
    }
    return el("button", {
      type: "button",
      class: "key",
      text: button.text,
      onclick: async (event) => {
        const target = event.currentTarget;
        target.disabled = true;
        target.classList.add("busy");
        const answer = await api("POST", `/api/chats/${message.chat_id}/messages/${message.message_id}/press`, {
          user_id: state.userId,
          data: button.callback_data,
        });
        target.disabled = false;
        target.classList.remove("busy");
        // The message may have been redrawn meanwhile (a count on the button): find it again.
        const keyboard = document.querySelector(
          `#messages [data-chat-id="${message.chat_id}"][data-message-id="${message.message_id}"] .keyboard`,
        );
        if (answer && answer.answered && answer.text) toast(answer.text, answer.show_alert, keyboard);
        else if (answer && !answer.answered) toast(label("no_answer"), false, keyboard);
      },
    });
  }

  function renderApiErrors() {
    $("api-error-count").textContent = String(state.apiErrors.length);
    $("api-errors").hidden = state.apiErrors.length === 0;
    $("api-error-list").replaceChildren(
      ...state.apiErrors.slice(-30).reverse().map((error) =>
        el("li", {}, el("code", { text: error.method }), el("span", { text: " " + error.description })),
      ),
    );
  }

  function showTyping() {
    $("chat-status").textContent = label("typing", { name: state.bot ? state.bot.first_name : "" });
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(hideTyping, 5000);
  }

  function hideTyping() {
    clearTimeout(state.typingTimer);
    if (!document.body.classList.contains("offline")) $("chat-status").textContent = "";
  }

  // -- clock --------------------------------------------------------------------------------

  function setClock(clock) {
    state.clock = clock;
    state.clockReceivedAt = Date.now();
    renderClock();
  }

  function sandboxNow() {
    if (!state.clock) return new Date();
    return new Date(new Date(state.clock.now).getTime() + (Date.now() - state.clockReceivedAt));
  }

  function renderClock() {
    const now = sandboxNow();
    const node = $("clock-now");
    const abbreviations = (state.clock && state.clock.zones) || {};
    node.dateTime = now.toISOString();
    // A phone's header has room for the date and time only; a laptop's for weekday and year too.
    const full = !PHONE.matches;
    const options = full
      ? { weekday: "short", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }
      : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
    node.textContent = formatIn(now, options) + " " + (abbreviations[zone()] || zone());
    node.title = zone();
    // The date field is the community's wall time too; the server reads it in that zone.
    const input = $("clock-date");
    input.min = wallTime(now);
    if (!input.dataset.touched) input.value = wallTime(new Date(now.getTime() + 86400000)).slice(0, 14) + "00";
  }

  async function moveClock(body) {
    document.body.classList.add("busy");
    const clock = await api("POST", "/api/clock", body);
    document.body.classList.remove("busy");
    if (clock) {
      setClock(clock);
      toast(label("clock_moved", { time: $("clock-now").textContent }), false);
    }
  }

  // -- actions ------------------------------------------------------------------------------

  function selectUser(userId) {
    state.userId = userId;
    remember();
    renderHeader();
    renderMessages();
    closeSidebar();
  }

  function openGroup(chatId) {
    state.groupId = chatId;
    state.view = "group";
    remember();
    renderHeader();
    renderMessages();
    renderClock();
    closeSidebar();
  }

  function openView(view) {
    state.view = view;
    remember();
    renderHeader();
    renderMessages();
  }

  async function send(text) {
    const chatId = currentChatId();
    if (!state.userId || !chatId) return false;
    const sent = await api("POST", `/api/chats/${chatId}/messages`, { user_id: state.userId, text });
    return sent !== null;
  }

  function closeSidebar() {
    document.body.classList.remove("sidebar-open");
    $("sidebar-toggle").setAttribute("aria-expanded", "false");
  }

  function renderMenu() {
    const user = currentUser();
    const code = user ? MENU_CODES[(user.language_code || "").toLowerCase()] || "" : "";
    const commands = (state.commands[code] && state.commands[code].length ? state.commands[code] : state.commands[""]) || [];
    $("command-list").replaceChildren(
      ...commands.map(([command, description]) =>
        el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              onclick: () => {
                const input = $("text");
                input.value = "/" + command + " ";
                toggleMenu(false);
                input.focus();
              },
            },
            el("code", { text: "/" + command }),
            el("span", { text: description }),
          ),
        ),
      ),
    );
  }

  function toggleMenu(open) {
    const menu = $("command-menu");
    const show = open === undefined ? menu.hidden : open;
    if (show) renderMenu();
    menu.hidden = !show;
    $("menu-button").setAttribute("aria-expanded", String(show));
  }

  async function setLanguage(lang) {
    const labels = await api("GET", "/api/labels?lang=" + encodeURIComponent(lang));
    if (!labels) return;
    state.lang = lang;
    state.labels = labels;
    document.cookie = "courtyard_lang=" + encodeURIComponent(lang) + "; path=/; max-age=31536000; SameSite=Lax";
    applyLabels();
    renderAll();
    renderClock();
  }

  function wire() {
    const select = $("ui-language");
    select.replaceChildren(
      ...boot.languages.map(([code, name]) => el("option", { value: code, text: name, selected: code === state.lang })),
    );
    select.addEventListener("change", () => setLanguage(select.value));

    $("tab-group").addEventListener("click", () => openView("group"));
    $("tab-private").addEventListener("click", () => openView("private"));
    $("membership").addEventListener("click", async (event) => {
      const action = event.currentTarget.dataset.action;
      if (action === "join") await api("POST", `/api/chats/${state.groupId}/members`, { user_id: state.userId });
      else await api("DELETE", `/api/chats/${state.groupId}/members/${state.userId}`);
    });

    const text = $("text");
    $("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = text.value;
      if (!value.trim()) return;
      if (await send(value)) {
        text.value = "";
        autosize();
      }
      text.focus();
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("composer").requestSubmit();
      }
    });
    const autosize = () => {
      text.style.height = "auto";
      text.style.height = Math.min(text.scrollHeight, 160) + "px";
      text.classList.toggle("too-long", text.value.length > MAX_TEXT);
    };
    text.addEventListener("input", autosize);

    $("menu-button").addEventListener("click", () => toggleMenu());
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        toggleMenu(false);
        closeSidebar();
      }
    });
    document.addEventListener("click", (event) => {
      if (!event.target.closest(".menu-wrap")) toggleMenu(false);
      const outsideDrawer = !event.target.closest("#sidebar, #sidebar-toggle");
      if (outsideDrawer && document.body.classList.contains("sidebar-open")) closeSidebar();
    });

    $("messages").addEventListener("scroll", () => {
      const list = $("messages");
      state.pinned = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    });
    $("clock-date").addEventListener("input", (event) => {
      event.currentTarget.dataset.touched = "1";
    });
    $("notice-close").addEventListener("click", hideNotice);
    $("plus-hour").addEventListener("click", () => moveClock({ seconds: 3600 }));
    $("plus-day").addEventListener("click", () => moveClock({ seconds: 86400 }));
    $("clock-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = $("clock-date").value;
      delete $("clock-date").dataset.touched;
      if (value) moveClock({ to: value, time_zone: zone() });
    });

    $("group-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = event.currentTarget;
      const chat = await api("POST", "/api/groups", { title: form.title.value, owner_id: state.userId });
      if (chat) {
        form.reset();
        state.chats.set(chat.id, chat);
        openGroup(chat.id);
      }
    });
    $("member-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = event.currentTarget;
      const body = {
        first_name: form.first_name.value,
        language_code: form.language_code.value,
        kind: form.kind.value,
      };
      if (form.join.checked && state.groupId) body.group_id = state.groupId;
      const user = await api("POST", "/api/users", body);
      if (user) {
        form.reset();
        state.users.set(user.id, user);
        selectUser(user.id);
      }
    });

    $("sidebar-toggle").addEventListener("click", () => {
      const open = document.body.classList.toggle("sidebar-open");
      $("sidebar-toggle").setAttribute("aria-expanded", String(open));
    });
    setInterval(renderClock, 15000);
    PHONE.addEventListener("change", renderClock);
  }

  applyLabels();
  wire();
  connect();
})();
