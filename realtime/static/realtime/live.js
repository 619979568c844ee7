// The spectator page (/live): a board chosen in the URL (drawn by board.js on the
// JavaScript client, realtime/static/focushub/client.js) and who is focusing now.
import { avatar, choiceFromUrl, followBoard } from "./board.js";

const form = document.getElementById("board");
const focusingEl = document.getElementById("focusing");
const focusingEmpty = document.getElementById("focusing-empty");
const captionEl = document.getElementById("caption");

function optionLabel(name, value) {
  return [...form.elements[name].options].find((option) => option.value === value)?.textContent ?? value;
}

function showChoice(choice) {
  const projects = form.elements.project;
  if (choice.project && ![...projects.options].some((option) => option.value === choice.project)) {
    projects.append(new Option(`Project ${choice.project}`, choice.project)); // one not listed here
  }
  for (const name of ["metric", "period", "project"]) form.elements[name].value = choice[name];
  form.elements.project.disabled = choice.metric !== "time";
  captionEl.textContent = [optionLabel("metric", choice.metric), optionLabel("period", choice.period),
    choice.project ? optionLabel("project", choice.project) : "all projects"].join(" · ");
}

function follow(choice) {
  showChoice(choice);
  followBoard(choice, {
    drawn: (board, now) => {
      drawFocusing(board, now);
      showUnlocks();
    },
    ticked: tickFocusing,
  });
}

function sessionTime(row, now) {
  const seconds = Math.max(0, Math.floor((now - Date.parse(row.running_since)) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${h ? `${h}:` : ""}${mm}:${String(seconds % 60).padStart(2, "0")}`;
}

function drawFocusing(board, now) {
  const running = board.rows.filter((row) => row.running_since);
  focusingEl.replaceChildren(...running.map((row) => {
    const li = document.createElement("li");
    li.dataset.user = row.user.username;
    const elapsed = document.createElement("span");
    elapsed.className = "elapsed";
    elapsed.textContent = sessionTime(row, now);
    li.append(avatar(row.user), row.user.username, elapsed);
    return li;
  }));
  focusingEmpty.hidden = running.length > 0;
}

function tickFocusing(rows, now) {
  for (const li of focusingEl.children) {
    li.querySelector(".elapsed").textContent = sessionTime(rows.get(li.dataset.user), now);
  }
}

// -- badges just unlocked: GET /badges/recent, read again every 30 s and when the board
// changes (an unlock moves the badges board; no socket message names it) -------------

const unlocksEl = document.getElementById("unlocks");
const unlocksEmpty = document.getElementById("unlocks-empty");
const UNLOCKS_EVERY_MS = 30_000;

async function showUnlocks() {
  let unlocks;
  try {
    const response = await fetch("/badges/recent?limit=10");
    if (!response.ok) return; // keep what is shown; the next poll tries again
    unlocks = await response.json();
  } catch {
    return;
  }
  unlocksEl.replaceChildren(...unlocks.map((unlock) => {
    const li = document.createElement("li");
    li.dataset.user = unlock.user.username;
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = unlock.badge.name;
    li.append(avatar(unlock.user), unlock.user.username, " unlocked ", badge);
    return li;
  }));
  unlocksEmpty.hidden = unlocks.length > 0;
}

setInterval(showUnlocks, UNLOCKS_EVERY_MS);

// -- choosing a board -----------------------------------------------------------------

form.addEventListener("change", () => {
  const params = new URLSearchParams({ metric: form.elements.metric.value, period: form.elements.period.value });
  if (form.elements.metric.value === "time" && form.elements.project.value) {
    params.set("project", form.elements.project.value);
  }
  history.pushState(null, "", `?${params}`);
  follow(choiceFromUrl());
});
form.addEventListener("submit", (event) => event.preventDefault());
window.addEventListener("popstate", () => follow(choiceFromUrl()));

follow(choiceFromUrl());
