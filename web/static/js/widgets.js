// Form widgets: type-ahead pickers, file uploads with progress, the signature pad and the rich-text editor.
// Event delegation throughout, so rows added to a subform later work without setup.
"use strict";

(() => {
  // Tell listeners (the live preview) that a value changed, as typing would.
  const changed = (element) => {
    element.dispatchEvent(new Event("input", { bubbles: true }));
    element.dispatchEvent(new Event("change", { bubbles: true }));
  };

  // ---- Type-ahead pickers (relation, user, department; one value or chips) ----
  const pickerParts = (element) => {
    const picker = element.closest("[data-picker]");
    if (!picker) return null;
    return {
      picker,
      input: picker.querySelector("[data-picker-input]"),
      list: picker.querySelector(".picker-options"),
      value: picker.querySelector("[data-picker-value]"),
      chips: picker.querySelector("[data-picker-chips]"),
    };
  };
  const options = (parts) => Array.from(parts.list.querySelectorAll("[role=option]"));

  const openList = (parts, open) => {
    parts.list.hidden = !open;
    parts.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) parts.input.removeAttribute("aria-activedescendant");
  };

  const activate = (parts, index) => {
    const all = options(parts);
    all.forEach((o, i) => o.setAttribute("aria-selected", i === index ? "true" : "false"));
    if (all[index]) {
      parts.input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    }
  };

  const choose = (parts, option) => {
    const id = option.dataset.value;
    const label = option.dataset.label;
    if (parts.chips) {
      const name = parts.chips.dataset.name;
      const present = Array.from(parts.chips.querySelectorAll("input[type=hidden]")).some((i) => i.value === id);
      if (!present) {
        const chip = document.createElement("li");
        chip.className = "chip";
        const text = document.createElement("span");
        text.textContent = label;
        const hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = name;
        hidden.value = id;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "chip-remove";
        remove.dataset.pickerRemove = "";
        remove.setAttribute("aria-label", `${parts.chips.dataset.removeLabel} ${label}`);
        remove.textContent = "×";
        chip.append(text, hidden, remove);
        parts.chips.append(chip);
        changed(hidden);
      }
      parts.input.value = "";
    } else {
      parts.value.value = id;
      parts.value.dataset.label = label;
      parts.input.value = label;
      changed(parts.value);
    }
    openList(parts, false);
  };

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = (event.detail && event.detail.target) || event.target;
    const parts = target instanceof Element && target.matches(".picker-options") ? pickerParts(target) : null;
    if (!parts) return;
    openList(parts, document.activeElement === parts.input);
    activate(parts, -1);
  });

  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches("[data-picker-input]")) return;
    const parts = pickerParts(input);
    const all = options(parts);
    const current = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (parts.list.hidden) { openList(parts, all.length > 0 || parts.list.children.length > 0); }
      const step = event.key === "ArrowDown" ? 1 : -1;
      activate(parts, all.length ? (current + step + all.length) % all.length : -1);
    } else if (event.key === "Enter" && !parts.list.hidden) {
      event.preventDefault();
      if (all[current >= 0 ? current : 0]) choose(parts, all[current >= 0 ? current : 0]);
    } else if (event.key === "Escape" && !parts.list.hidden) {
      event.preventDefault();
      openList(parts, false);
    }
  });

  document.addEventListener("mousedown", (event) => {
    const option = event.target instanceof Element ? event.target.closest(".picker-options [role=option]") : null;
    if (!option) return;
    event.preventDefault(); // keep the focus in the input
    choose(pickerParts(option), option);
  });

  document.addEventListener("input", (event) => {
    const parts = event.target instanceof Element && event.target.matches("[data-picker-input]")
      ? pickerParts(event.target) : null;
    if (parts && parts.value && event.target.value.trim() === "" && parts.value.value) {
      parts.value.value = "";
      parts.value.dataset.label = "";
      changed(parts.value);
    }
  });

  document.addEventListener("focusout", (event) => {
    const parts = event.target instanceof Element && event.target.matches("[data-picker-input]")
      ? pickerParts(event.target) : null;
    if (!parts) return;
    openList(parts, false);
    if (parts.value) {
      // A single picker shows what is chosen, not half-typed search words.
      parts.input.value = parts.value.value ? (parts.value.dataset.label || parts.input.defaultValue) : "";
    }
  });

  // ---- Uploads: XHR with progress, several files, remove before saving ----
  const csrf = (element) => {
    const field = element.closest("form")?.querySelector("input[name=csrf_token]");
    if (field) return field.value;
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch { return ""; }
  };

  const fileItem = (uploader, ref) => {
    const item = document.createElement("li");
    item.className = "file-item";
    if (ref.image) {
      const thumb = document.createElement("img");
      thumb.className = "thumb";
      thumb.src = ref.url;
      thumb.alt = "";
      item.append(thumb);
    }
    const link = document.createElement("a");
    link.href = `${ref.url}?download`;
    link.textContent = ref.name;
    const hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = uploader.dataset.name;
    hidden.value = ref.id;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "file-remove";
    remove.dataset.fileRemove = "";
    remove.setAttribute("aria-label", `${uploader.dataset.removeLabel} ${ref.name}`);
    remove.textContent = "×";
    item.append(link, hidden, remove);
    return item;
  };

  const showError = (uploader, message) => {
    const box = uploader.querySelector("[data-upload-error]");
    box.textContent = message;
    box.hidden = !message;
  };

  const uploadOne = (uploader, file) => new Promise((resolve) => {
    const progress = uploader.querySelector("[data-upload-progress]");
    const xhr = new XMLHttpRequest();
    const body = new FormData();
    body.append("file", file, file.name);
    xhr.open("POST", uploader.dataset.url);
    xhr.setRequestHeader("X-CSRF-Token", csrf(uploader));
    xhr.responseType = "json";
    progress.value = 0;
    progress.hidden = false;
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("loadend", () => {
      progress.hidden = true;
      const answer = xhr.response || {};
      if (xhr.status === 201 && answer.id) {
        const item = fileItem(uploader, answer);
        uploader.querySelector("[data-files]").append(item);
        changed(item.querySelector("input"));
        resolve(true);
      } else {
        showError(uploader, `${file.name}: ${answer.error || uploader.dataset.failed}`);
        resolve(false);
      }
    });
    xhr.send(body);
  });

  document.addEventListener("change", async (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches("[data-upload-input]")) return;
    const uploader = input.closest("[data-uploader]");
    const form = input.closest("form");
    const files = Array.from(input.files || []);
    input.value = "";
    showError(uploader, "");
    const most = Number(uploader.dataset.maxFiles || 0);
    if (form) form.dataset.uploading = String(Number(form.dataset.uploading || 0) + 1);
    try {
      for (const file of files) {
        if (most && uploader.querySelectorAll("[data-files] > li").length >= most) {
          showError(uploader, uploader.dataset.tooMany);
          break;
        }
        await uploadOne(uploader, file);
      }
    } finally {
      if (form) form.dataset.uploading = String(Number(form.dataset.uploading) - 1);
    }
  });

  // A form does not submit while its files are still uploading.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && Number(form.dataset.uploading || 0) > 0) event.preventDefault();
  }, true);

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const removeFile = target?.closest("[data-file-remove]");
    const removeChip = target?.closest("[data-picker-remove]");
    const gone = removeFile ? removeFile.closest("li") : removeChip ? removeChip.closest("li") : null;
    if (gone) {
      const parent = gone.parentElement;
      gone.remove();
      changed(parent);
    }
  });

  // ---- Signature pad: pointer events (mouse, pen and touch), saved as a PNG data URL ----
  let stroke = null;
  const point = (canvas, e) => {
    const box = canvas.getBoundingClientRect();
    return [(e.clientX - box.left) * (canvas.width / box.width), (e.clientY - box.top) * (canvas.height / box.height)];
  };

  document.addEventListener("pointerdown", (event) => {
    const canvas = event.target instanceof Element ? event.target.closest("[data-signature-canvas]") : null;
    if (!canvas) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    const pad = canvas.closest("[data-signature]");
    const saved = pad.querySelector("[data-signature-saved]");
    if (saved) { saved.hidden = true; pad.querySelector("[data-signature-kept]").value = ""; }
    const ctx = canvas.getContext("2d");
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    ctx.beginPath();
    ctx.moveTo(...point(canvas, event));
    stroke = { canvas, ctx, pointer: event.pointerId };
  });

  document.addEventListener("pointermove", (event) => {
    if (!stroke || event.pointerId !== stroke.pointer) return;
    stroke.ctx.lineTo(...point(stroke.canvas, event));
    stroke.ctx.stroke();
  });

  const endStroke = (event) => {
    if (!stroke || event.pointerId !== stroke.pointer) return;
    const { canvas, ctx } = stroke;
    const [x, y] = point(canvas, event);
    ctx.lineTo(x + 0.1, y + 0.1); // a tap leaves a dot
    ctx.stroke();
    stroke = null;
    const drawn = canvas.closest("[data-signature]").querySelector("[data-signature-drawn]");
    drawn.value = canvas.toDataURL("image/png");
    changed(drawn);
  };
  document.addEventListener("pointerup", endStroke);
  document.addEventListener("pointercancel", endStroke);

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-signature-clear]") : null;
    if (!button) return;
    const pad = button.closest("[data-signature]");
    const canvas = pad.querySelector("[data-signature-canvas]");
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    pad.querySelector("[data-signature-drawn]").value = "";
    pad.querySelector("[data-signature-kept]").value = "";
    const saved = pad.querySelector("[data-signature-saved]");
    if (saved) saved.hidden = true;
    changed(pad.querySelector("[data-signature-kept]"));
  });

  // ---- Rich text: contenteditable with a small toolbar, mirrored into the textarea the form posts ----
  const setUpRich = (root) => {
    root.querySelectorAll("[data-rich]:not([data-ready])").forEach((box) => {
      box.dataset.ready = "";
      const editor = box.querySelector("[data-rich-editor]");
      const source = box.querySelector("[data-rich-source]");
      box.querySelector("[data-rich-toolbar]").hidden = false;
      editor.hidden = false;
      source.hidden = true;
      editor.addEventListener("input", () => {
        source.value = editor.innerHTML;
        changed(source);
      });
    });
  };

  document.addEventListener("mousedown", (event) => {
    if (event.target instanceof Element && event.target.closest("[data-rich-toolbar] button")) event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-rich-toolbar] button") : null;
    if (!button) return;
    const box = button.closest("[data-rich]");
    const editor = box.querySelector("[data-rich-editor]");
    editor.focus();
    let value = null;
    if (button.dataset.cmd === "createLink") {
      value = window.prompt(button.dataset.prompt, "https://");
      if (!value || !/^(https?:|mailto:)/i.test(value.trim())) return;
      value = value.trim();
    }
    document.execCommand(button.dataset.cmd, false, value);
    box.querySelector("[data-rich-source]").value = editor.innerHTML;
    changed(box.querySelector("[data-rich-source]"));
  });

  document.addEventListener("DOMContentLoaded", () => setUpRich(document));
  document.addEventListener("htmx:load", (event) => setUpRich(event.target instanceof Element ? event.target : document));
})();
