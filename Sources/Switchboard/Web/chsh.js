// The CHSH player's page: join with a code and a name (as a guest), create or join a team, see
// your own question and answer True/False, see your teammate's presence and each completed
// round. Everything is on the server: a reload or a server restart resumes the same player,
// team and question through chsh.state (this tab keeps its guest session and game id).
import { Session, api, connectionBanner, toast as showToast } from "/web/session.js";

const $ = (id) => document.getElementById(id);
const gameKey = "switchboard-chsh-game";
const state = { session: new Session(), client: null, gameId: sessionStorage.getItem(gameKey), snapshot: null, question: null };

const toast = (text, kind = "info") => showToast($("toasts"), { category: kind, title: text });

function show(section) {
  for (const id of ["join", "teams", "play"]) $(id).classList.toggle("hidden", id !== section);
}

// --- rendering (text only: nothing from the server becomes markup) ---

function render() {
  const snapshot = state.snapshot;
  if (!snapshot) return;
  const team = snapshot.team;
  if (!team) {
    show("teams");
    const open = snapshot.teams.filter((candidate) => candidate.members.length < 2);
    $("team-list").replaceChildren(...open.map((candidate) => {
      const item = document.createElement("li");
      const label = document.createElement("span");
      label.textContent = `${candidate.name} · ${candidate.status === "inactive" ? "inactive" : `${candidate.members.length}/2`}`;
      const button = Object.assign(document.createElement("button"), { type: "button", textContent: candidate.status === "inactive" ? "Revive" : "Join" });
      button.dataset.team = candidate.name;
      button.addEventListener("click", () => teamCommand("chsh.joinTeam", candidate.name));
      item.append(label, button);
      return item;
    }));
    return;
  }
  show("play");
  const me = team.members.find((member) => member.playerId === snapshot.playerId);
  const mate = team.members.find((member) => member.playerId !== snapshot.playerId);
  $("team").textContent = team.name;
  $("slot").textContent = me ? `player ${me.slot}` : "";
  $("mate").textContent = mate ? `Teammate: ${mate.name} · ${mate.present ? "here" : "away"}` : "Waiting for a teammate to join…";
  $("mate").className = `mate ${mate && mate.present ? "present" : "absent"}`;
  const gameState = snapshot.game.state;
  $("game-state").textContent = { lobby: "Waiting for the host to start", running: "Game running", paused: "Paused by the host", closed: "The game is over" }[gameState];
  $("game-state").className = `game-state ${gameState}`;
  const question = state.question;
  $("question").className = `question ${me ? `slot-${me.slot}` : ""}`;
  $("item").textContent = question ? question.item : "—";
  $("round-number").textContent = question ? `round ${question.roundNumber}` : "";
  const ready = question && !question.answered && gameState === "running" && mate && mate.present;
  for (const id of ["answer-true", "answer-false"]) $(id).disabled = !ready;
  $("play-note").textContent = !question ? (gameState === "running" ? "Waiting for the next question…" : "")
    : question.answered ? "Answer sent. Waiting for your teammate…"
    : !mate || !mate.present ? "Waiting for your teammate to come back…"
    : gameState === "paused" ? "Paused: answers resume when the host continues." : "";
  const last = snapshot.lastRound;
  $("last-round").textContent = last
    ? `Round ${last.roundNumber}: ${last.items[0]} ${last.answers[0] ? "T" : "F"} · ${last.items[1]} ${last.answers[1] ? "T" : "F"}${last.won === true ? " · won ✓" : last.won === false ? " · lost ✗" : ""}`
    : "";
  $("last-round").className = `last-round ${last && last.won === true ? "won" : last && last.won === false ? "lost" : ""}`;
}

// --- the connection ---

async function resync() {
  try {
    const snapshot = await state.client.request("chsh.state", { gameId: state.gameId });
    state.snapshot = snapshot;
    state.question = snapshot.question;
    $("me").textContent = snapshot.team?.members.find((member) => member.playerId === snapshot.playerId)?.name ?? "";
    render();
  } catch (error) {
    if (error.code === "not_found") {  // the game is gone, or this tab's guest never joined it
      sessionStorage.removeItem(gameKey);
      state.gameId = null;
      show("join");
      $("join-error").textContent = error.message;
    }
  }
}

function onEvent(event) {
  const data = event.data;
  if (event.type === "chsh.question" && data.gameId === state.gameId) {
    state.question = { ...data, answered: false };
    render();
  } else if (event.type === "chsh.roundComplete") {
    if (state.snapshot) state.snapshot.lastRound = data;
    if (state.question?.roundId === data.roundId) state.question = null;
    render();
  } else if (event.type === "chsh.team" || event.type === "chsh.game") {
    if (event.type === "chsh.game" && data.game.state === "lobby") state.question = null;
    resync();
  }
}

function start() {
  const client = state.session.connect();
  state.client = client;
  connectionBanner(client, $);
  client.on("event", onEvent);
  client.on("connected", () => { if (state.gameId) resync(); });
}

async function teamCommand(type, name) {
  $("team-error").textContent = "";
  try {
    await state.client.request(type, { gameId: state.gameId, name });
    await resync();
  } catch (error) { $("team-error").textContent = error.message; }
}

$("join-button").addEventListener("click", async () => {
  $("join-error").textContent = "";
  try {
    if (!state.client) {
      state.session.remember(await api("/auth/guest", { displayName: $("player-name").value.trim() }));
      start();
    }
    const joined = await state.client.request("chsh.joinGame", { joinCode: $("join-code").value.trim() });
    state.gameId = joined.gameId;
    sessionStorage.setItem(gameKey, joined.gameId);
    await resync();
  } catch (error) { $("join-error").textContent = error.message; }
});
$("create-team").addEventListener("click", () => teamCommand("chsh.createTeam", $("team-name").value));
$("leave-team").addEventListener("click", async () => {
  try {
    await state.client.request("chsh.leaveTeam", { gameId: state.gameId });
    state.question = null;
    await resync();
  } catch (error) { toast(error.message); }
});
for (const [id, value] of [["answer-true", true], ["answer-false", false]]) {
  $(id).addEventListener("click", async () => {
    if (!state.question) return;
    $("answer-error").textContent = "";
    const question = state.question;
    try {
      await state.client.request("chsh.answer", { roundId: question.roundId, answer: value });
      if (state.question?.roundId === question.roundId) state.question.answered = true;
      render();
    } catch (error) {
      $("answer-error").textContent = error.message;
      resync();
    }
  });
}

const code = new URLSearchParams(location.search).get("code");
if (code) $("join-code").value = code;
(async () => {
  if (state.gameId && (await state.session.resume())) start();
  else show("join");
})();
