// The embeddable board (/live/embed?metric=&period=&project=&limit=): the board its URL
// names, drawn by board.js, for an iframe on a team page.
import { choiceFromUrl, followBoard } from "./board.js";

followBoard(choiceFromUrl());
