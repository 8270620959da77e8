// The hall screen and the chair's console: state pushed by server-sent events, polled when push is down.
// Builds the page with textContent only (no HTML from the server); every label comes from #hall-strings.
(function () {
  "use strict";
  var root = document.getElementById("hall");
  if (!root) { return; }
  var S = (document.getElementById("hall-strings") || {}).dataset || {};
  var state = null, skew = 0, source = null, pollTimer = null, mode = "connecting";

  function field(name) { return root.querySelectorAll('[data-field="' + name + '"]'); }
  function setText(name, text) { field(name).forEach(function (el) { el.textContent = text; }); }
  function byId(id) { return document.getElementById(id); }
  function two(n) { return (n < 10 ? "0" : "") + n; }

  function setPush(kind) {
    mode = kind;
    var el = byId("hall-push");
    if (!el) { return; }
    el.className = "hall-push" + (kind === "live" ? "" : kind === "polling" ? " degraded" : " offline");
    el.textContent = kind === "live" ? S.live : kind === "polling" ? S.polling : kind === "gone" ? S.gone : S.offline;
    el.dataset.mode = kind;
  }

  function render(s) {
    state = s;
    skew = Date.parse(s.now) - Date.now();
    setText("title", s.meeting.title);
    var p = s.presence;
    ["expected", "present", "leave", "absent", "left"].forEach(function (k) { setText(k, String(p[k])); });
    var q = byId("hall-quorum");
    if (q) { q.className = "hall-quorum " + (p.quorum ? "yes" : "no"); }
    setText("quorum-text", p.quorum ? S.quorumYes : S.quorumNo);
    setText("quorum-line", (S.quorumLine || "").replace("{n}", p.quorum_line));
    var box = byId("hall-poll");
    if (!s.poll) { if (box) { box.hidden = true; } return; }
    if (box) { box.hidden = false; }
    var poll = s.poll;
    setText("poll-title", poll.title);
    setText("poll-round", poll.round ? fill(S.roundOf, { n: poll.round.number, title: poll.round.of }) : "");
    var vote = byId("hall-vote"), result = byId("hall-result");
    var stateText = poll.present_only ? " · " + S.presentOnly : "";
    if (poll.state === "draft") { setText("poll-state", S.notStarted + stateText); }
    else if (poll.state === "open") { setText("poll-state", (poll.voting ? S.voting : S.timeUp) + stateText); }
    else if (poll.state === "closed") { setText("poll-state", S.closed); }
    else if (poll.waiting_certification) { setText("poll-state", S.waitingCert); }
    else { setText("poll-state", poll.state_label); }
    vote.hidden = poll.state !== "open" && poll.state !== "closed";
    byId("hall-received").textContent = String(poll.received);
    byId("hall-electors").textContent = String(poll.electors);
    var bar = byId("hall-progress");
    bar.max = Math.max(poll.electors, 1);
    bar.value = poll.received;
    showResult(result, poll.result);
    showRounds(result, poll.round);
    tick();
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    tr.appendChild(td);
  }

  function fill(s, values) {
    return Object.keys(values).reduce(function (out, k) { return out.split("{" + k + "}").join(String(values[k])); }, s || "");
  }

  function candidatesTable(rows) {
    var table = document.createElement("table");
    rows.forEach(function (c) {
      var tr = document.createElement("tr");
      if (c.adopted) { tr.className = "adopted"; }
      cell(tr, c.rank === null ? "" : String(c.rank), "num");
      cell(tr, c.title);
      cell(tr, c.votes + " " + S.votes, "num");
      cell(tr, c.adopted ? "★ " + S.adopted : "");
      table.appendChild(tr);
    });
    return table;
  }

  function showRatings(el, r) {
    // the three-level verdict of each item (满意 / 基本满意 / 不满意), never a 0-2 mean
    var line = document.createElement("div");
    line.className = "hall-ratings-quorum";
    line.id = "hall-ratings-quorum";
    line.textContent = fill(r.quorum ? S.ratingsQuorumYes : S.ratingsQuorumNo, { m: r.members, p: r.present });
    el.appendChild(line);
    var table = document.createElement("table");
    table.className = "hall-ratings";
    table.id = "hall-ratings";
    var head = document.createElement("tr");
    [S.item, S.ratingSatisfied, S.ratingBasic, S.ratingDissatisfied, S.ratingResult].forEach(function (t) {
      var th = document.createElement("th");
      th.textContent = t;
      head.appendChild(th);
    });
    table.appendChild(head);
    var labels = { satisfied: S.ratingSatisfied, basic: S.ratingBasic, dissatisfied: S.ratingDissatisfied };
    r.items.forEach(function (i) {
      var tr = document.createElement("tr");
      tr.className = "rating-" + i.verdict;
      cell(tr, i.title);
      cell(tr, String(i.satisfied), "num");
      cell(tr, String(i.basic), "num");
      cell(tr, String(i.dissatisfied), "num");
      cell(tr, labels[i.verdict] || i.verdict, "verdict");
      table.appendChild(tr);
    });
    el.appendChild(table);
  }

  function showRounds(el, round) {
    // a ballot that went to a run-off: every round's result, round 1 first
    var box = byId("hall-rounds");
    if (!box) { return; }
    box.textContent = "";
    box.hidden = !round;
    if (!round) { return; }
    round.rounds.forEach(function (r) {
      if (r.current) { return; }
      var h = document.createElement("div");
      h.className = "hall-round-title";
      h.textContent = fill(S.round, { n: r.number }) + " · " + r.title;
      box.appendChild(h);
      if (r.candidates) { box.appendChild(candidatesTable(r.candidates)); }
      else { var p = document.createElement("div"); p.textContent = S.notShownYet; box.appendChild(p); }
    });
  }

  function showResult(el, r) {
    if (!el) { return; }
    el.textContent = "";
    el.hidden = !r;
    if (!r) { return; }
    if (r.kind === "survey" && r.scale === "ratings") { showRatings(el, r); return; }
    if (r.kind === "survey") {
      var mean = document.createElement("div");
      mean.className = "hall-mean";
      mean.id = "hall-mean";
      mean.textContent = r.mean === null ? "–" : String(r.mean);
      var label = document.createElement("div");
      label.textContent = S.mean + " · " + r.valid + " " + S.valid;
      el.appendChild(label);
      el.appendChild(mean);
      return;
    }
    el.appendChild(candidatesTable(r.candidates));
  }

  function tick() {
    var now = new Date(Date.now() + skew);
    var clock = byId("hall-clock");
    if (clock) { clock.textContent = two(now.getHours()) + ":" + two(now.getMinutes()) + ":" + two(now.getSeconds()); }
    var cd = byId("hall-countdown");
    if (!cd || !state || !state.poll) { return; }
    var poll = state.poll;
    if (poll.state !== "open" || !poll.closes_at) { cd.textContent = poll.state === "open" ? "" : "00:00"; return; }
    var left = Math.max(0, Math.round((Date.parse(poll.closes_at) - now.getTime()) / 1000));
    cd.textContent = two(Math.floor(left / 60)) + ":" + two(left % 60);
    cd.className = "hall-countdown" + (left <= 30 ? " urgent" : "");
    cd.dataset.seconds = String(left);
  }

  function fetchState() {
    fetch(root.dataset.state, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.status === 404) { stopPolling(); setPush("gone"); return null; }
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (s) { if (s) { render(s); if (mode !== "live") { setPush("polling"); } } })
      .catch(function () { if (mode !== "live") { setPush("offline"); } });
  }

  function startPolling() {
    if (pollTimer) { return; }
    fetchState();
    pollTimer = setInterval(fetchState, 1000);
  }
  function stopPolling() { if (pollTimer) { clearInterval(pollTimer); pollTimer = null; } }

  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    source = new EventSource(root.dataset.events);
    source.onmessage = function (e) {
      var s = JSON.parse(e.data);
      render(s);
      if (s.push) { stopPolling(); setPush("live"); } else { setPush("polling"); }
    };
    source.addEventListener("gone", function () { source.close(); stopPolling(); setPush("gone"); });
    source.onerror = function () {
      // a snapshot without push ends at once and the browser asks again (retry: 1 s); a failing endpoint: poll
      if (source.readyState === EventSource.CLOSED) {
        if (mode === "gone") { return; }
        startPolling();
        setTimeout(function () { if (mode !== "gone") { connect(); } }, 10000);
      }
      else if (mode === "live") { setPush("polling"); }
    };
  }

  setInterval(tick, 250);
  tick();
  connect();
})();
