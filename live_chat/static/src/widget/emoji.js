/*
 * Live Chat widget: the emoji picker. A module of its own, fetched by the widget the
 * first time the visitor opens the picker (never before): its address, named in the
 * widget's bundle, changes with its content. It hands itself over on its script
 * element (``script.liveChatModule``), like the bundle does: no global.
 */

const EMOJI_CSS = `
.emoji-panel{display:grid;grid-template-columns:repeat(8,1fr);gap:2px;padding:6px;max-height:180px;
overflow-y:auto;border-top:1px solid #e5e7eb;background:#fff}
.emoji-pick{font-size:20px;line-height:1;background:none;border:0;border-radius:8px;cursor:pointer;
padding:6px 0;min-height:36px}
.emoji-pick:hover,.emoji-pick:focus-visible{background:#eff6ff;outline:2px solid #93c5fd}
@media (max-width:480px){.emoji-panel{grid-template-columns:repeat(7,1fr)}
.emoji-pick{min-height:44px;font-size:24px}}`;

const EMOJI = (
    "😀 😃 😄 😁 😆 😅 😂 🙂 😉 😊 😇 🥰 😍 😘 😋 😜 🤔 🤗 🤩 😎 " +
    "😐 😶 🙄 😏 😬 😌 😔 😴 😷 🤒 😵 🥳 😕 😟 😮 😲 😢 😭 😱 😤 " +
    "😡 👍 👎 👌 ✌️ 🤞 👏 🙌 🙏 💪 👋 ❤️ 💔 💯 ✨ 🔥 🎉 ✅ ❌ ❓ " +
    "⭐ 💡 📦 🚚 💳 📧 📞 ⏰ 🎁 ☕"
).split(" ");

/**
 * The picker's panel, for the widget's shadow root ``root``: a grid of buttons,
 * moved through with the arrow keys; ``pick(emoji)`` when one is chosen, ``close()``
 * on Escape.
 */
function makeEmojiPanel(root, label, pick, close) {
    if (!root.querySelector("style[data-emoji]")) {
        const style = document.createElement("style");
        style.dataset.emoji = "";
        style.textContent = EMOJI_CSS;
        root.append(style);
    }
    const panel = document.createElement("div");
    panel.className = "emoji-panel";
    panel.setAttribute("role", "group");
    panel.setAttribute("aria-label", label);
    for (const emoji of EMOJI) {
        const choice = document.createElement("button");
        choice.type = "button";
        choice.className = "emoji-pick";
        choice.textContent = emoji;
        choice.addEventListener("click", () => pick(emoji));
        panel.append(choice);
    }
    panel.addEventListener("keydown", (event) => {
        const buttons = [...panel.children];
        const index = buttons.indexOf(root.activeElement);
        const columns = getComputedStyle(panel).gridTemplateColumns.split(" ").length;
        const step = {
            ArrowRight: 1,
            ArrowLeft: -1,
            ArrowDown: columns,
            ArrowUp: -columns,
        }[event.key];
        if (event.key === "Escape") {
            event.stopPropagation();
            close();
        } else if (step && index >= 0) {
            event.preventDefault();
            buttons[Math.min(Math.max(index + step, 0), buttons.length - 1)].focus();
        }
    });
    return panel;
}

{
    const script = document.currentScript;
    if (script && typeof script.liveChatModule === "function") {
        script.liveChatModule({makeEmojiPanel});
    }
}
