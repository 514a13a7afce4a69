/* The reading level and promotion checks of a health page, kept up to date as the editor types.
 *
 * Every second, if the edit form's data has changed since the last check, it is posted to the
 * checks view (the panel's data-url), which answers with the panel's new content and the notes for
 * beside the summary and each body block concerned. The same comparison of form data is how
 * Wagtail's own preview panel decides when to refresh. Nothing is saved.
 */
(() => {
  'use strict';

  const INTERVAL_MS = 1000;
  const NOTE_CLASS = 'discsite-check-note';

  const start = () => {
    const panel = document.querySelector('[data-health-checks]');
    const form = panel && panel.closest('form');
    if (!form) return;
    const result = panel.querySelector('[data-health-checks-result]');
    const reason = form.querySelector('[name="promotion_reason"]');
    const reasonSection = reason && reason.closest('[data-panel], section, .w-panel') || null;
    let lastSent = null;
    let lastResult = null;
    let inFlight = false;

    const formData = () => {
      const data = new URLSearchParams();
      new FormData(form).forEach((value, name) => {
        if (typeof value === 'string') data.append(name, value); // files are not checked
      });
      return data;
    };

    // Where the note for a place goes: after the summary field, or at the end of the body block.
    const placeOf = (place) => {
      if (place === 'summary') {
        const summary = form.querySelector('[name="summary"]');
        return summary && (summary.closest('.w-field') || summary.parentElement);
      }
      const block = form.querySelector(`[data-contentpath="${CSS.escape(place)}"]`);
      return block && (block.querySelector('.w-panel__content') || block);
    };

    // Wagtail's warning icon, from the admin's icon sprite, as its own help blocks show it.
    const warningIcon = () => {
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('class', 'icon icon-warning');
      svg.setAttribute('aria-hidden', 'true');
      const use = document.createElementNS('http://www.w3.org/2000/svg', 'use');
      use.setAttribute('href', '#icon-warning');
      svg.appendChild(use);
      return svg;
    };

    const showNotes = (notes) => {
      form.querySelectorAll(`.${NOTE_CLASS}`).forEach((note) => note.remove());
      Object.entries(notes).forEach(([place, texts]) => {
        const where = placeOf(place);
        if (!where) return;
        const note = document.createElement('div');
        note.className = `help-block help-warning ${NOTE_CLASS}`;
        note.appendChild(warningIcon());
        const list = document.createElement('ul');
        texts.forEach((text) => {
          const item = document.createElement('li');
          item.textContent = text;
          list.appendChild(item);
        });
        note.appendChild(list);
        where.appendChild(note);
      });
    };

    const showReason = () => {
      if (!reasonSection) return;
      const needed = Boolean(result.querySelector('[data-promotion-found]'));
      // Never hide a reason already given, nor one the server asked for (an error on the field).
      const keep = reason.value.trim() || reasonSection.querySelector('.error-message, [aria-invalid="true"]');
      reasonSection.hidden = !(needed || keep);
    };

    const check = () => {
      // Not while a check is on its way, nor before the body's blocks have been set up.
      if (inFlight || !form.querySelector('[name="body-count"]')) return;
      const data = formData();
      const sent = data.toString();
      if (sent === lastSent) return;
      lastSent = sent;
      inFlight = true;
      fetch(panel.dataset.url, {
        method: 'POST',
        body: data,
        credentials: 'same-origin',
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      })
        .then((response) => (response.ok ? response.json() : null))
        .then((answer) => {
          if (!answer) return; // keep the last good result
          if (answer.result !== lastResult) {
            result.innerHTML = answer.result; // rendered and escaped by the server's template
            lastResult = answer.result;
          }
          showNotes(answer.notes);
          showReason();
        })
        .catch(() => {}) // offline for a moment: the next change tries again
        .finally(() => {
          inFlight = false;
        });
    };

    showReason();
    check();
    window.setInterval(check, INTERVAL_MS);
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
