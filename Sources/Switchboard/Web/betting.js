// The betting player's page: the table's round with its clock, a bet slip, my bets, the
// result checked in the browser against the commitment, recent rounds, and a toast when my
// bets settle. Built on switchboard.js; a reload or a reconnect resynchronises with betting.state.
import { Session, connectionBanner, signInForm, toast as showToast } from "/web/session.js";

const $ = (id) => document.getElementById(id);
const table = new URLSearchParams(location.search).get("table") || "table-1";
const state = { session: new Session(), client: null, round: null, offsetMs: 0, bets: [], verified: new Map() };
const selections = { number: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], size: ["small", "big"], parity: ["odd", "even"] };

function fillSelections() {
  $("bet-selection").replaceChildren(...selections[$("bet-type").value].map((value) => Object.assign(document.createElement("option"), { value, textContent: value })));
}

const toast = (text, kind = "info") => showToast($("toasts"), { category: kind, title: text });

// --- fairness, with Web Crypto: the same algorithm as docs/modules/betting.md ---

const hexBytes = (hex) => new Uint8Array(hex.match(/../g).map((pair) => parseInt(pair, 16)));
const bytesHex = (bytes) => [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, "0")).join("");

async function verify(round) {
  const seed = hexBytes(round.serverSeed);
  const commitment = bytesHex(await crypto.subtle.digest("SHA-256", seed));
  const key = await crypto.subtle.importKey("raw", seed, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  for (let attempt = 0; ; attempt++) {
    const message = attempt === 0 ? round.id : `${round.id}:${attempt}`;
    const h = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
    const byte = h.find((b) => b < 250);
    if (byte !== undefined) return commitment === round.commitment && byte % 10 === round.result;
  }
}

async function verified(round) {
  if (!state.verified.has(round.id)) state.verified.set(round.id, await verify(round).catch(() => false));
  return state.verified.get(round.id);
}

// --- rendering (text only: nothing from the server becomes markup) ---

function renderRound() {
  const round = state.round;
  if (!round) return;
  $("round-number").textContent = String(round.number);
  $("phase").textContent = round.phase;
  $("phase").className = `phase ${round.phase}`;
  $("commitment").textContent = round.commitment;
  $("place").disabled = round.phase !== "betting";
  const settled = round.phase === "settled";
  $("result").classList.toggle("hidden", !settled);
  if (settled) {
    $("result-number").textContent = String(round.result);
    $("fairness").textContent = "checking…";
    verified(round).then((ok) => {
      if (state.round?.id !== round.id) return;
      $("fairness").textContent = ok ? "✓ verified" : "✗ does not verify";
      $("fairness").className = ok ? "verified" : "unverified";
    });
  }
  tickCountdown();
}

function tickCountdown() {
  if (!state.round) return;
  const left = Math.max(0, state.round.phaseEndsAt - (Date.now() + state.offsetMs));
  const seconds = `${Math.ceil(left / 1000)} s`;
  $("countdown").textContent = { betting: `bets close in ${seconds}`, locked: `draw in ${seconds}`, settled: `next round in ${seconds}` }[state.round.phase]
    ?? "voided: bets refunded";
}

function renderBets() {
  $("my-bets").replaceChildren(...state.bets.map((bet) => {
    const item = document.createElement("li");
    item.className = bet.status;
    item.dataset.id = bet.id;
    item.textContent = `${bet.type} ${bet.selection} · ${bet.amount} · ${bet.status}${bet.payout && bet.status !== "lost" ? ` · paid ${bet.payout}` : ""}`;
    return item;
  }));
}

async function renderHistory() {
  const page = await state.client.request("betting.history", { table, limit: 10 });
  const items = await Promise.all(page.items.map(async (round) => {
    const item = document.createElement("li");
    const check = round.phase === "settled" ? ((await verified(round)) ? " ✓" : " ✗") : "";
    item.textContent = round.phase === "settled" ? `#${round.number}: ${round.result}${check}` : `#${round.number}: voided, bets refunded`;
    return item;
  }));
  $("history").replaceChildren(...items);
}

function setBalance(balance) { $("balance").textContent = balance; }

// --- the connection ---

async function resync() {
  const snapshot = await state.client.request("betting.state", { table });
  state.offsetMs = snapshot.serverTime - Date.now();
  state.round = snapshot.round;
  state.bets = snapshot.myBets;
  setBalance(snapshot.balance);
  renderRound();
  renderBets();
  await renderHistory();
}

function onTableEvent(event) {
  if (event.type !== "betting.round") return;
  const round = event.data.round;
  if (state.round?.id !== round.id) state.bets = [];
  state.round = round;
  renderRound();
  renderBets();
  if (round.phase === "settled" || round.phase === "voided") renderHistory().catch(() => {});
}

function start() {
  $("login").classList.add("hidden");
  $("game").classList.remove("hidden");
  const client = state.session.connect();
  state.client = client;
  connectionBanner(client, $);
  client.subscribe(`betting:${table}`, { onEvent: onTableEvent, onRecovery: () => resync().catch(showError) });
  client.on("connected", () => resync().catch(showError));
  client.on("event", (event) => {
    if (event.type === "betting.wallet") {
      setBalance(event.data.balance);
      toast(`${event.data.kind === "deposit" ? "Deposit received" : "Balance adjusted"}: balance ${event.data.balance}`, "success");
    }
    if (event.type !== "betting.settled") return;
    setBalance(event.data.balance);
    for (const bet of event.data.bets) {
      const index = state.bets.findIndex((mine) => mine.id === bet.id);
      if (index >= 0) state.bets[index] = bet;
    }
    renderBets();
    const won = event.data.bets.filter((bet) => bet.status === "won");
    const refunded = event.data.bets.some((bet) => bet.status === "refunded");
    toast(refunded ? `Round voided: bets refunded. Balance ${event.data.balance}` :
          won.length ? `You won ${won.map((bet) => bet.payout).join(" + ")}! Balance ${event.data.balance}` :
          `No win this round. Balance ${event.data.balance}`, won.length ? "success" : "info");
  });
}

function showError(error) {
  $("slip-error").textContent = error.retryAfterMs ? `${error.message}, retry in ${Math.ceil(error.retryAfterMs / 1000)} s` : error.message;
}

$("bet-type").addEventListener("change", fillSelections);
$("slip").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!state.round) return;
  $("slip-error").textContent = "";
  try {
    const reply = await state.client.request("betting.place", {
      table, roundId: state.round.id, type: $("bet-type").value, selection: $("bet-selection").value,
      amount: $("bet-amount").value.trim(), idempotencyKey: crypto.randomUUID(),
    });
    setBalance(reply.balance);
    if (!state.bets.some((bet) => bet.id === reply.bet.id)) state.bets.push(reply.bet);
    renderBets();
  } catch (error) { showError(error); }
});

signInForm(state.session, start, (error) => { $("error").textContent = error.message; });

fillSelections();
setInterval(tickCountdown, 250);
(async () => {
  if (await state.session.resume()) start();
})();
