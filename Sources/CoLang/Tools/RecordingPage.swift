// The HTML page of a recording (`--record FILE.html`): one file with its style, its script and
// the run's data inline, so it opens by double-click with no network and no other file.
//
// The data (Tools/Recorder.swift, `Recorder.json`) is a JSON object in a
// `<script type="application/json">` element; the script below reads it once, indexes each
// fiber's stack snapshots by step, and draws a step on demand: the source with each task's line,
// a card per task and coroutine, the loop, the channels, the output so far and the timeline with
// a cursor. Nothing is fetched; the page works from `file://`.

enum RecordingPage {
    /// The whole page for the recorded `data` (JSON text, already safe inside `<script>`).
    static func html(title: String, data: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            + "<title>\(SVGWriter.escape(title)) — CoLang replay</title>\n<style>\n\(style)</style>\n</head>\n<body>\n"
            + body
            + "<script type=\"application/json\" id=\"run-data\">\(data)</script>\n"
            + "<script>\n\(script)</script>\n</body>\n</html>\n"
    }

    static let body = #"""
        <header>
          <h1 id="title">CoLang replay</h1>
          <div id="controls">
            <button id="first" title="first step (Home)">|◀ start</button>
            <button id="back" title="one step back (←)">◀</button>
            <button id="play" title="play / pause (space)">▶ play</button>
            <button id="forward" title="one step forward (→)">▶</button>
            <button id="last" title="last step (End)">end ▶|</button>
            <input id="slider" type="range" min="0" max="0" value="0" aria-label="step">
            <span id="counter">step 0 of 0</span>
            <select id="speed" title="steps per second when playing">
              <option value="2">2/s</option><option value="5">5/s</option><option value="10" selected>10/s</option>
              <option value="30">30/s</option><option value="100">100/s</option>
            </select>
          </div>
          <div id="what"></div>
          <div id="truncated" hidden></div>
        </header>
        <main>
          <section id="source-panel"><h2>source <span id="source-name"></span></h2><div id="source"></div></section>
          <section id="cards-panel">
            <h2>tasks and coroutines <label class="toggle"><input type="checkbox" id="show-finished"> show finished</label></h2>
            <div id="cards"></div>
          </section>
          <section id="loop-panel"><h2>the loop</h2><div id="loop"></div><h2>channels</h2><div id="channels"></div></section>
          <section id="output-panel"><h2>output</h2><pre id="output"></pre></section>
          <section id="timeline-panel"><h2>timeline <small>(click to jump)</small></h2><div id="timeline"></div></section>
        </main>

        """#

    static let style = #"""
        :root { --run: #fff3b0; --runedge: #e0a800; --task: #dbeafe; --grey: #9ca3af; --err: #b91c1c; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #111; background: #f6f7f9; }
        header { position: sticky; top: 0; z-index: 2; background: #1f2937; color: #fff; padding: 8px 12px; }
        h1 { font-size: 16px; margin: 0 0 6px 0; font-weight: 600; }
        h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #374151; margin: 0 0 6px 0; }
        #controls { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
        #controls button { font-size: 14px; padding: 2px 10px; cursor: pointer; }
        #slider { flex: 1; min-width: 200px; }
        #counter { font-variant-numeric: tabular-nums; min-width: 150px; }
        #source-name { text-transform: none; letter-spacing: 0; font-family: ui-monospace, monospace; color: #111; }
        #what { margin-top: 6px; font-family: ui-monospace, monospace; font-size: 13px; color: #fde68a; min-height: 1.4em; }
        #truncated { margin-top: 6px; background: #7c2d12; padding: 4px 8px; border-radius: 4px; }
        main { display: grid; grid-template-columns: minmax(320px, 1fr) minmax(320px, 1fr); gap: 10px; padding: 10px; }
        section { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; min-width: 0; }
        #timeline-panel { grid-column: 1 / -1; }
        #source { font-family: ui-monospace, monospace; font-size: 13px; max-height: 60vh; overflow: auto; }
        .line { display: flex; white-space: pre; border-left: 3px solid transparent; }
        .line .no { color: var(--grey); width: 3.5em; text-align: right; padding-right: 8px; flex: none; user-select: none; }
        .line .code { flex: 1 1 auto; min-width: 0; overflow: hidden; text-overflow: ellipsis; }
        .line.at { background: var(--task); }
        .line.current { background: var(--run); border-left-color: var(--runedge); }
        .line .who { flex: none; font-family: system-ui, sans-serif; font-size: 11px; margin-left: 6px; }
        .who span { background: #bfdbfe; border-radius: 3px; padding: 0 4px; margin-left: 3px; }
        .who span.running { background: var(--runedge); color: #fff; }
        .who span.suspended { background: #e5e7eb; color: #4b5563; }
        #cards { display: flex; flex-direction: column; gap: 6px; max-height: 60vh; overflow: auto; }
        .card { border: 1px solid #d1d5db; border-radius: 6px; padding: 6px 8px; background: #fff; }
        .card.running { border: 2px solid var(--runedge); background: #fffdf0; }
        .card.finished { opacity: .6; }
        .card .head { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
        .card .name { font-weight: 600; }
        .status { font-size: 12px; border-radius: 10px; padding: 0 8px; background: #e5e7eb; }
        .status.running { background: var(--runedge); color: #fff; }
        .status.ready { background: #bbf7d0; } .status.sleeping { background: #e0e7ff; }
        .status.blocked { background: #fecaca; } .status.suspended { background: #e5e7eb; }
        .status.normal { background: #fde68a; } .status.failed { background: #fca5a5; }
        .note { font-size: 12px; color: #4b5563; }
        .frame { margin-top: 4px; border-left: 3px solid #93c5fd; padding-left: 6px; }
        .frame.top { border-left-color: var(--runedge); }
        .frame.greyed { color: var(--grey); border-left-color: #e5e7eb; }
        .frame .fname { font-family: ui-monospace, monospace; font-size: 12px; }
        table.vars { border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 12px; margin: 2px 0 2px 8px; }
        table.vars td { padding: 0 8px 0 0; vertical-align: top; word-break: break-all; }
        table.vars td:first-child { color: #1d4ed8; white-space: nowrap; }
        .frame.greyed table.vars td:first-child { color: var(--grey); }
        #loop div.row, #channels div.row { margin: 2px 0; }
        .chip { display: inline-block; border: 1px solid #d1d5db; border-radius: 4px; padding: 0 6px; margin: 1px 2px;
                font-family: ui-monospace, monospace; font-size: 12px; background: #f9fafb; }
        .label { color: #6b7280; font-size: 12px; margin-right: 4px; }
        #output { margin: 0; max-height: 40vh; overflow: auto; font-size: 13px; white-space: pre-wrap; }
        #output .err { color: var(--err); }
        #timeline { overflow-x: auto; position: relative; }
        #timeline svg { cursor: crosshair; max-width: 100%; height: auto; }
        .empty { color: var(--grey); font-style: italic; }

        """#

    static let script = #"""
        "use strict";
        const RUN = JSON.parse(document.getElementById("run-data").textContent);
        const $ = (id) => document.getElementById(id);
        // A step: [kind, task, fiber, source, line, text, time, output length, world, channels,
        //          globals, scheduler events so far, [fiber, stack, fiber, stack, ...]]
        const S = { kind: 0, task: 1, fiber: 2, source: 3, line: 4, text: 5, time: 6, out: 7,
                    world: 8, chans: 9, globals: 10, events: 11, stacks: 12 };
        const steps = RUN.steps;
        // The loop's state after each event: the recording keeps only what changed, so a state
        // is the one before with that event's changed entries applied. Every 128th state is kept
        // whole; any other is rebuilt from the one kept before it (and stepping forward reuses
        // the last one built), so a run with thousands of tasks opens and steps at once.
        const EVERY = 128, kept = [];
        {
          let tasks = new Map(), cos = new Map();
          RUN.worlds.forEach((d, k) => {
            if (k % EVERY === 0) kept.push({ tasks: new Map(tasks), cos: new Map(cos) });
            for (const t of d.tasks) tasks.set(t[0], t);
            for (const c of d.cos) cos.set(c[0], c);
          });
        }
        let built = null;
        function worldAt(k) {
          if (!built || built.k > k || Math.floor(built.k / EVERY) !== Math.floor(k / EVERY)) {
            const base = kept[Math.floor(k / EVERY)];
            built = { k: Math.floor(k / EVERY) * EVERY - 1, tasks: new Map(base.tasks), cos: new Map(base.cos) };
          }
          while (built.k < k) {
            built.k++;
            const d = RUN.worlds[built.k];
            for (const t of d.tasks) built.tasks.set(t[0], t);
            for (const c of d.cos) built.cos.set(c[0], c);
          }
          const d = RUN.worlds[k], all = [...built.tasks.values()];
          return {
            run: d.run, ready: d.ready, more: d.more, tasks: all, cos: [...built.cos.values()],
            sleep: all.filter((t) => t[2] === "sleeping").map((t) => [t[0], t[6]]).sort((a, b) => a[1] - b[1]),
            blocked: all.filter((t) => t[2] === "blocked").map((t) => [t[0], t[3]]),
          };
        }
        let index = 0, timer = null;

        function esc(s) {
          return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
        }
        function seconds(t) {
          if (t === null || t === undefined) return "";
          if (t === 0) return "0s";
          if (Math.abs(t) < 0.001) return (t * 1e6).toPrecision(3) + "µs";
          if (Math.abs(t) < 1) return (t * 1e3).toPrecision(3) + "ms";
          return t.toFixed(3) + "s";
        }

        // Each fiber's stack snapshots, by step, for a binary search of the latest one.
        const stackSteps = new Map();
        steps.forEach((s, i) => {
          const list = s[S.stacks];
          for (let k = 0; k < list.length; k += 2) {
            if (!stackSteps.has(list[k])) stackSteps.set(list[k], { at: [], ids: [] });
            const e = stackSteps.get(list[k]);
            e.at.push(i); e.ids.push(list[k + 1]);
          }
        });
        function stackAt(fiber, i) {
          const e = stackSteps.get(fiber);
          if (!e) return [];
          let lo = 0, hi = e.at.length - 1, best = -1;
          while (lo <= hi) { const mid = (lo + hi) >> 1; if (e.at[mid] <= i) { best = mid; lo = mid + 1; } else hi = mid - 1; }
          return best < 0 ? [] : RUN.stacks[e.ids[best]].map((f) => RUN.frames[f]);
        }
        function fiberName(id) { const f = RUN.fibers[id]; return f ? f[0] : "co#" + id; }
        function taskName(world, id) { const t = world.tasks.find((t) => t[0] === id); return t ? t[1] : "task#" + id; }

        const sourceLines = RUN.sources.map((s) => s[1].split("\n"));
        let shownSource = -1;
        function drawSource(i, world) {
          const step = steps[i];
          let src = step[S.source];
          if (src < 0) { for (let j = i; j >= 0; j--) if (steps[j][S.source] >= 0) { src = steps[j][S.source]; break; } }
          if (src < 0) src = 0;
          const box = $("source");
          if (src !== shownSource && RUN.sources[src]) {
            shownSource = src;
            $("source-name").textContent = RUN.sources[src][0];
            box.innerHTML = sourceLines[src].map((l, n) =>
              `<div class="line" data-line="${n + 1}"><span class="no">${n + 1}</span><span class="code">${esc(l) || " "}</span><span class="who"></span></div>`).join("");
          }
          for (const el of box.querySelectorAll(".line.at, .line.current")) { el.classList.remove("at", "current"); }
          for (const el of box.querySelectorAll(".who")) { if (el.innerHTML) el.innerHTML = ""; }
          // Each live task's line: the top frame of its innermost fiber.
          for (const t of world.tasks) {
            if (["done", "failed", "cancelled"].includes(t[2])) continue;
            const frames = stackAt(t[5], i);
            const top = frames[frames.length - 1];
            if (!top || top[1] !== src) continue;
            const el = box.querySelector(`.line[data-line="${top[2]}"]`);
            if (!el) continue;
            const running = t[0] === world.run;
            el.classList.add(running ? "current" : "at");
            el.querySelector(".who").insertAdjacentHTML("beforeend", `<span class="${running ? "running" : ""}">${esc(t[1])}</span>`);
          }
          // Suspended coroutines: where each will go on, in grey.
          for (const c of world.cos) {
            if (c[2] !== "suspended") continue;
            const frames = stackAt(c[0], i);
            const top = frames[frames.length - 1];
            if (!top || top[1] !== src) continue;
            const el = box.querySelector(`.line[data-line="${top[2]}"]`);
            if (el) el.querySelector(".who").insertAdjacentHTML("beforeend", `<span class="suspended">co#${c[0]}</span>`);
          }
          if (step[S.kind] === "line" && step[S.source] === src) {
            const el = box.querySelector(`.line[data-line="${step[S.line]}"]`);
            if (el) { el.classList.add("current"); el.classList.remove("at"); }
          }
          const cur = box.querySelector(".line.current");
          if (cur) {
            const top = cur.offsetTop - box.offsetTop, h = box.clientHeight;
            if (top < box.scrollTop || top > box.scrollTop + h - 20) box.scrollTop = Math.max(0, top - h / 3);
          }
        }

        function varsTable(vars) {
          if (!vars.length) return "";
          return `<table class="vars">${vars.map((v) => `<tr><td>${esc(v[0])}</td><td>${esc(v[1])}</td></tr>`).join("")}</table>`;
        }
        function framesHTML(frames, greyed, runningTop) {
          return frames.map((f, k) => {
            if (f[1] < 0) return `<div class="frame greyed"><div class="fname">${esc(f[0])}</div></div>`;
            const top = k === frames.length - 1;
            const cls = "frame" + (greyed ? " greyed" : "") + (top && runningTop ? " top" : "");
            const src = RUN.sources[f[1]] ? RUN.sources[f[1]][0] : "";
            return `<div class="${cls}"><div class="fname">${esc(f[0])}  <span class="note">line ${f[2]}${RUN.sources.length > 1 ? " of " + esc(src) : ""}</span></div>` +
              varsTable(f[3]) + (f[4].length ? `<div class="note">captured:</div>` + varsTable(f[4]) : "") + "</div>";
          }).join("");
        }

        let lastCards = "";
        function drawCards(i, world) {
          const showFinished = $("show-finished").checked;
          const running = world.run;
          const globals = RUN.globals[steps[i][S.globals]] || [];
          let html = "", hidden = 0, cards = 0, over = 0;
          for (const t of world.tasks) {
            const [id, name, status, waits, root, active] = t;
            const finished = ["done", "failed", "cancelled"].includes(status);
            if (finished && !showFinished) { hidden++; continue; }
            // At most 100 cards (and always the running task's): thousands would make every step slow.
            if (cards >= 100 && id !== running) { over++; continue; }
            cards++;
            const isRunning = id === running;
            const st = isRunning ? "running" : status;
            let chain = "";
            if (active !== root && !finished) {
              // From the innermost coroutine back through who resumed whom to the task.
              const names = [];
              for (let f = active, hops = 0; f && f !== root && hops < 50; hops++) {
                names.unshift(fiberName(f));
                const c = world.cos.find((c) => c[0] === f);
                f = c ? c[5] : 0;
              }
              chain = `<div class="note">resume chain: ${esc(name)} → ${names.map(esc).join(" → ")} (each resumed the next)</div>`;
            }
            const frames = finished ? [] : stackAt(root, i);
            const g = id === 1 && globals.length ? `<div class="frame"><div class="fname">globals</div>${varsTable(globals)}</div>` : "";
            html += `<div class="card${isRunning ? " running" : ""}${finished ? " finished" : ""}" data-kind="task" data-id="${id}" data-status="${st}">` +
              `<div class="head"><span class="name">task ${esc(name)}</span><span class="status ${st}">${st}</span>` +
              (waits ? `<span class="note">waits on ${esc(waits)}</span>` : "") + `</div>` + chain + g +
              framesHTML(frames, !isRunning || active !== root, isRunning && active === root) + `</div>`;
          }
          for (const c of world.cos) {
            const [id, name, status, resumedBy, task] = c;
            const finished = ["done", "failed", "collected"].includes(status);
            if (finished && !showFinished) { hidden++; continue; }
            if (cards >= 100 && task !== running) { over++; continue; }
            cards++;
            const isRunning = status === "running" && task === running;
            const frames = finished || status === "created" ? [] : stackAt(id, i);
            let note = "";
            if (status === "running" || status === "normal") note = `resumed by ${esc(resumedBy)}`;
            else if (status === "suspended" && resumedBy) note = `suspended: waits for the next resume (last resumed by ${esc(resumedBy)})`;
            else if (status === "created") note = "created: not started yet";
            if (status === "normal") note += " · it resumed another coroutine";
            html += `<div class="card${isRunning ? " running" : ""}${finished ? " finished" : ""}" data-kind="coroutine" data-id="${id}" data-status="${status}">` +
              `<div class="head"><span class="name">coroutine co#${id} ${esc(name)}</span><span class="status ${status}">${status}</span>` +
              `<span class="note">${note}</span></div>` + framesHTML(frames, !isRunning, isRunning) + `</div>`;
          }
          if (over) html += `<div class="note">${over} more not shown (the page shows 100 cards)</div>`;
          if (hidden) html += `<div class="note">${hidden} finished not shown</div>`;
          if (!html) html = `<div class="empty">nothing yet</div>`;
          if (html !== lastCards) { $("cards").innerHTML = html; lastCards = html; }
        }

        function drawLoop(i, world) {
          const name = (id) => esc(taskName(world, id));
          const chips = (ids) => ids.length ? ids.map((id) => `<span class="chip">${name(id)}</span>`).join(" → ") : `<span class="empty">empty</span>`;
          let html = `<div class="row"><span class="label">running:</span>${world.run ? `<span class="chip">${name(world.run)}</span>` : `<span class="empty">nobody (the loop waits)</span>`}</div>`;
          html += `<div class="row" id="loop-ready"><span class="label">ready queue:</span>${chips(world.ready)}` +
            (world.more ? ` <span class="note">and ${world.more} more</span>` : "") + `</div>`;
          html += `<div class="row" id="loop-sleeping"><span class="label">sleeping:</span>` +
            (world.sleep.length ? world.sleep.map((s) => `<span class="chip">${name(s[0])} until ${seconds(s[1])}</span>`).join(" ") : `<span class="empty">none</span>`) + `</div>`;
          html += `<div class="row" id="loop-blocked"><span class="label">blocked:</span>` +
            (world.blocked.length ? world.blocked.map((b) => `<span class="chip">${name(b[0])}: ${esc(b[1])}</span>`).join(" ") : `<span class="empty">none</span>`) + `</div>`;
          $("loop").innerHTML = html;
          const chans = RUN.channels[steps[i][S.chans]] || [];
          $("channels").innerHTML = chans.length ? chans.map((c) => {
            const [id, label, cap, buf, closed, senders, receivers] = c;
            return `<div class="row" data-channel="${id}"><span class="chip">#${id}${label ? " " + esc(label) : ""}</span>` +
              `<span class="label">capacity ${cap}${closed ? ", closed" : ""} · buffer:</span>${buf.length ? buf.map((v) => `<span class="chip">${esc(v)}</span>`).join("") : `<span class="empty">empty</span>`}` +
              (senders.length ? ` <span class="label">senders waiting:</span>${senders.map((s) => `<span class="chip">${name(s)}</span>`).join("")}` : "") +
              (receivers.length ? ` <span class="label">receivers waiting:</span>${receivers.map((s) => `<span class="chip">${name(s)}</span>`).join("")}` : "") + `</div>`;
          }).join("") : `<div class="empty">no channels</div>`;
        }

        let shownOut = -1;
        function drawOutput(i) {
          const n = steps[i][S.out];
          if (n === shownOut) return;
          shownOut = n;
          const text = RUN.output.slice(0, n);
          let html = "", at = 0;
          for (const [a, b] of RUN.errors) {
            if (a >= n) break;
            html += esc(text.slice(at, a)) + `<span class="err">${esc(text.slice(a, Math.min(b, n)))}</span>`;
            at = Math.min(b, n);
          }
          html += esc(text.slice(at));
          const box = $("output");
          box.innerHTML = html;
          box.scrollTop = box.scrollHeight;
        }

        // The timeline: the SVG `--timeline` draws, a cursor at the step, a click jumps.
        let svg = null, cursor = null, axis = null;
        function setUpTimeline() {
          if (!RUN.timeline) {
            const why = steps.some((s) => s[S.events] > 0) ? "too many tasks and coroutines to draw here (--timeline FILE.svg draws them)" : "no scheduler events";
            $("timeline").innerHTML = `<div class="empty">${why}</div>`;
            return;
          }
          $("timeline").innerHTML = RUN.timeline;
          svg = $("timeline").querySelector("svg");
          const d = svg && svg.dataset;
          if (!d || d.x0 === undefined) return;
          axis = { x0: +d.x0, x1: +d.x1, t0: +d.t0, t1: +d.t1, events: d.axis === "events" };
          const vb = svg.viewBox.baseVal;
          cursor = document.createElementNS("http://www.w3.org/2000/svg", "line");
          cursor.setAttribute("y1", vb ? vb.y : 0);
          cursor.setAttribute("y2", vb ? vb.y + vb.height : 1000);
          cursor.setAttribute("stroke", "#dc2626");
          cursor.setAttribute("stroke-width", "2");
          cursor.setAttribute("id", "cursor");
          cursor.style.pointerEvents = "none";
          svg.appendChild(cursor);
          svg.addEventListener("click", (ev) => {
            const p = svg.createSVGPoint();
            p.x = ev.clientX; p.y = ev.clientY;
            const x = p.matrixTransform(svg.getScreenCTM().inverse()).x;
            const t = axis.t0 + (x - axis.x0) / (axis.x1 - axis.x0) * (axis.t1 - axis.t0);
            go(stepAtAxis(t));
          });
        }
        function axisValue(i) { return axis.events ? steps[i][S.events] - 1 : steps[i][S.time]; }
        function stepAtAxis(t) {
          let lo = 0, hi = steps.length - 1, best = steps.length - 1;
          while (lo <= hi) { const mid = (lo + hi) >> 1; if (axisValue(mid) >= t) { best = mid; hi = mid - 1; } else lo = mid + 1; }
          return best;
        }
        function drawCursor(i) {
          if (!cursor) return;
          const v = Math.max(axis.t0, Math.min(axis.t1, axisValue(i)));
          const x = axis.x0 + (axis.t1 > axis.t0 ? (v - axis.t0) / (axis.t1 - axis.t0) : 0) * (axis.x1 - axis.x0);
          cursor.setAttribute("x1", x); cursor.setAttribute("x2", x);
        }

        function describe(i, world) {
          const s = steps[i];
          const who = s[S.task] ? taskName(world, s[S.task]) : "";
          if (s[S.kind] === "line") {
            const f = RUN.fibers[s[S.fiber]];
            const where = f && f[1] === "coroutine" ? ` in ${f[0]}` : "";
            return `${who}${where} is at line ${s[S.line]}`;
          }
          if (s[S.kind] === "end") return s[S.text];
          return s[S.text] + (s[S.line] ? ` · line ${s[S.line]}` : "");
        }

        function go(i) {
          if (!steps.length) return;
          index = Math.max(0, Math.min(steps.length - 1, i));
          const s = steps[index];
          const world = worldAt(s[S.world]);
          $("slider").value = index;
          $("counter").textContent = `step ${index + 1} of ${steps.length}`;
          $("what").textContent = `t=${seconds(s[S.time])} · ${describe(index, world)}`;
          document.body.dataset.step = index;
          drawSource(index, world);
          drawCards(index, world);
          drawLoop(index, world);
          drawOutput(index);
          drawCursor(index);
        }

        function play() {
          if (timer) { clearInterval(timer); timer = null; $("play").textContent = "▶ play"; return; }
          if (index >= steps.length - 1) go(0);
          $("play").textContent = "⏸ pause";
          timer = setInterval(() => { if (index >= steps.length - 1) { play(); return; } go(index + 1); }, 1000 / +$("speed").value);
        }

        $("title").textContent = RUN.title + (RUN.exit !== null ? ` — exit status ${RUN.exit}` : "");
        $("slider").max = Math.max(0, steps.length - 1);
        $("slider").addEventListener("input", (e) => go(+e.target.value));
        $("first").onclick = () => go(0);
        $("last").onclick = () => go(steps.length - 1);
        $("back").onclick = () => go(index - 1);
        $("forward").onclick = () => go(index + 1);
        $("play").onclick = play;
        $("speed").onchange = () => { if (timer) { play(); play(); } };
        $("show-finished").onchange = () => go(index);
        document.addEventListener("keydown", (e) => {
          if (e.target.tagName === "INPUT" && e.target.type !== "range" && e.target.type !== "checkbox") return;
          if (e.key === "ArrowRight") { go(index + 1); e.preventDefault(); }
          else if (e.key === "ArrowLeft") { go(index - 1); e.preventDefault(); }
          else if (e.key === "Home") { go(0); e.preventDefault(); }
          else if (e.key === "End") { go(steps.length - 1); e.preventDefault(); }
          else if (e.key === " ") { play(); e.preventDefault(); }
        });
        if (RUN.truncated) {
          const t = $("truncated");
          t.hidden = false;
          t.textContent = `This run took more steps than a recording holds: only its first ${RUN.maxSteps.toLocaleString("en")} steps are here. ` +
            "The program itself ran to its end; record a smaller run to see the rest.";
        }
        setUpTimeline();
        // For tests and the curious: the replay's state.
        window.replay = { go, get index() { return index; }, get count() { return steps.length; }, run: RUN,
                          world: (i) => worldAt(steps[i][S.world]) };
        go(0);

        """#
}
