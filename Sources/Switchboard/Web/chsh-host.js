// The CHSH host's dashboard: sign in as a host, create or pick a game, show its join code,
// start / pause / resume / reset / change mode / close, and watch every team's correlations,
// S and win rate (± one standard error) live from chsh.dashboard, with S drawn against the
// classical and quantum bounds, the leaderboard, and the answers as CSV.
import { Session, connectionBanner, signInForm } from "/web/session.js";
import { qrSvg } from "/web/qrcode.js";

const $ = (id) => document.getElementById(id);
const gameKey = "switchboard-chsh-host-game";
const state = { session: new Session(), client: null, gameId: sessionStorage.getItem(gameKey), view: null };
const svg = "http://www.w3.org/2000/svg";

const fixed = (value, digits = 2) => (value === null || value === undefined ? "—" : value.toFixed(digits));
const plusMinus = (estimate, digits = 2) => estimate && estimate.value !== null && estimate.value !== undefined
  ? `${fixed(estimate.value, digits)} ± ${estimate.stderr === null ? "?" : fixed(estimate.stderr, digits)}` : "—";
const percent = (estimate) => estimate && estimate.value !== null
  ? `${(estimate.value * 100).toFixed(1)} % ± ${estimate.stderr === null ? "?" : (estimate.stderr * 100).toFixed(1)}` : "—";

function cell(text, className = "") {
  return Object.assign(document.createElement("td"), { textContent: text, className });
}

function statsCells(line) {
  const s = line.chsh?.value;
  const sClass = s === null || s === undefined ? "" : Math.abs(s) > 2 ? "quantum" : "classical";
  return [...["AX", "AY", "BX", "BY"].map((key) => cell(plusMinus(line.correlations[key]))), cell(plusMinus(line.chsh), sClass), cell(percent(line.winRate))];
}

function renderGame(game) {
  $("game").classList.remove("hidden");
  $("join-code").textContent = game.joinCode;
  const link = `${location.origin}/web/chsh?code=${game.joinCode}`;
  if ($("join-link").textContent !== link) {
    $("join-link").textContent = link;
    $("join-qr").replaceChildren(qrSvg(link, `join game ${game.joinCode}`));
  }
  $("game-state").textContent = game.state;
  $("game-state").className = `game-state ${game.state}`;
  $("game-mode").textContent = `${game.mode} mode`;
  $("mode").value = game.mode;
  $("start").disabled = !["lobby", "paused"].includes(game.state);
  $("pause").disabled = game.state !== "running";
  $("resume").disabled = game.state !== "paused";
  for (const id of ["reset", "mode", "close"]) $(id).disabled = game.state === "closed";
}

function render() {
  const view = state.view;
  if (!view) return;
  renderGame(view.game);
  $("players").textContent = `${view.playersPresent} of ${view.players} players here`;
  for (const id of ["board", "chart-card", "leader-card"]) $(id).classList.remove("hidden");
  $("team-rows").replaceChildren(...view.teams.map((line) => {
    const row = document.createElement("tr");
    row.className = line.status;
    row.dataset.team = line.teamId;
    const members = line.members.map((member) => `${member.name}${member.present ? "" : " (away)"}`).join(", ");
    const name = cell(line.name);
    name.title = members;
    row.append(name, cell(line.status === "inactive" ? "inactive" : `${line.members.length}/2${line.eligible ? " ✓" : ""}`),
               cell(String(line.rounds)), ...statsCells(line));
    return row;
  }));
  $("overall-row").replaceChildren(cell("Whole game"), cell(""), cell(String(view.overall.rounds)), ...statsCells(view.overall));
  renderChart(view);
  $("ranked-by").textContent = view.rankedBy === "winRate" ? "(by win rate, teams past the first 16 rounds)" : "(by S, teams past the first 32 rounds)";
  const names = new Map(view.teams.map((line) => [line.teamId, line]));
  $("leaderboard").replaceChildren(...view.leaderboard.map((id, index) => {
    const line = names.get(id);
    const item = Object.assign(document.createElement("li"), { textContent: `${index === 0 ? "🏆 " : ""}${line.name} · ${view.rankedBy === "winRate" ? percent(line.winRate) : plusMinus(line.chsh)}` });
    if (index === 0) item.className = "winner";
    return item;
  }));
}

function renderChart(view) {
  const width = 320, height = 200, top = 10, bottom = 30, left = 28;
  const y = (s) => top + (4 - s) / 8 * (height - top - bottom);  // S from −4 to 4
  const nodes = [];
  const line = (x1, y1, x2, y2, className) => {
    const node = document.createElementNS(svg, "line");
    for (const [key, value] of Object.entries({ x1, y1, x2, y2, class: className })) node.setAttribute(key, String(value));
    nodes.push(node);
  };
  const label = (x, yy, text, anchor = "start") => {
    const node = document.createElementNS(svg, "text");
    node.setAttribute("x", String(x)); node.setAttribute("y", String(yy)); node.setAttribute("text-anchor", anchor);
    node.textContent = text;
    nodes.push(node);
  };
  line(left, y(0), width, y(0), "err");
  for (const [s, className, text] of [[2, "bound-classical", "2"], [-2, "bound-classical", "−2"], [2 * Math.SQRT2, "bound-quantum", "2√2"], [-2 * Math.SQRT2, "bound-quantum", ""]]) {
    line(left, y(s), width, y(s), className);
    if (text) label(left - 2, y(s) + 3, text, "end");
  }
  const teams = view.teams.filter((team) => team.chsh.value !== null);
  const slot = (width - left) / Math.max(teams.length, 1);
  teams.forEach((team, index) => {
    const x = left + slot * index + slot * 0.2, w = slot * 0.6, s = team.chsh.value;
    const bar = document.createElementNS(svg, "rect");
    for (const [key, value] of Object.entries({ x, y: Math.min(y(s), y(0)), width: w, height: Math.abs(y(s) - y(0)), class: "bar" })) bar.setAttribute(key, String(value));
    nodes.push(bar);
    if (team.chsh.stderr) line(x + w / 2, y(s - team.chsh.stderr), x + w / 2, y(s + team.chsh.stderr), "err");
    label(x + w / 2, height - 12, team.name.length > 10 ? `${team.name.slice(0, 9)}…` : team.name, "middle");
  });
  $("chart").replaceChildren(...nodes);
}

async function listGames() {
  const games = (await state.client.request("chsh.games")).items;
  $("game-list").replaceChildren(...games.map((game) => {
    const item = document.createElement("li");
    const button = Object.assign(document.createElement("button"), { type: "button", textContent: `${game.joinCode} · ${game.mode} · ${game.state}` });
    if (game.id === state.gameId) button.className = "current";
    button.addEventListener("click", () => open(game.id));
    item.append(button);
    return item;
  }));
}

async function open(gameId) {
  state.gameId = gameId;
  sessionStorage.setItem(gameKey, gameId);
  state.view = await state.client.request("chsh.stats", { gameId });
  render();
  await listGames();
}

async function control(type, data = {}) {
  $("control-error").textContent = "";
  try {
    const reply = await state.client.request(type, { gameId: state.gameId, ...data });
    if (state.view) state.view.game = reply.game;
    renderGame(reply.game);
    await listGames();
  } catch (error) { $("control-error").textContent = error.message; }
}

async function download() {
  $("control-error").textContent = "";
  const response = await fetch(`/chsh/games/${encodeURIComponent(state.gameId)}/export.csv`, { headers: { Authorization: `Bearer ${state.session.accessToken}` } });
  if (!response.ok) { $("control-error").textContent = `export failed: ${response.status}`; return; }
  const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(await response.blob()), download: `chsh-${state.view?.game.joinCode ?? "game"}.csv` });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function start() {
  $("login").classList.add("hidden");
  $("host").classList.remove("hidden");
  const client = state.session.connect();
  state.client = client;
  connectionBanner(client, $);
  client.on("event", (event) => {
    if (event.type === "chsh.dashboard" && event.data.game.id === state.gameId) {
      state.view = event.data;
      render();
    }
  });
  client.on("connected", async () => {
    $("me").textContent = state.session.user?.displayName ?? "";
    try {
      if (state.gameId) await open(state.gameId); else await listGames();
    } catch (error) { $("control-error").textContent = error.message; }
  });
}

$("create-game").addEventListener("click", async () => {
  try {
    const reply = await state.client.request("chsh.createGame", { mode: $("new-mode").value });
    await open(reply.game.id);
  } catch (error) { $("control-error").textContent = error.message; }
});
$("start").addEventListener("click", () => control("chsh.start"));
$("pause").addEventListener("click", () => control("chsh.pause"));
$("resume").addEventListener("click", () => control("chsh.resume"));
$("reset").addEventListener("click", () => { if (confirm("Delete every round and answer of this game? Teams stay.")) control("chsh.reset"); });
$("close").addEventListener("click", () => { if (confirm("Close this game? Players can no longer join or answer.")) control("chsh.closeGame"); });
$("mode").addEventListener("change", () => control("chsh.setMode", { mode: $("mode").value }));
$("download").addEventListener("click", () => download().catch((error) => { $("control-error").textContent = error.message; }));
signInForm(state.session, start, (error) => { $("error").textContent = error.message; });
(async () => {
  if (await state.session.resume()) start();
})();
