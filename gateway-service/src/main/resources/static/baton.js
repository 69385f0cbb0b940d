// The summary page: sends the text to POST /v1/summaries asking for text/event-stream, shows a
// progress event per segment, then the summary and the picked sentences highlighted in the text.
// EventSource cannot POST, so the stream is read with fetch and parsed here.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('summarize-form');
  const documentInput = $('document');
  const fileInput = $('file');
  const fileStatus = $('file-status');
  const sentencesInput = $('sentences');
  const modelInput = $('model');
  const apiKeyInput = $('api-key');
  const startButton = $('start');
  const cancelButton = $('cancel');
  const progressSection = $('progress-section');
  const progressBar = $('progress');
  const progressText = $('progress-text');
  const progressAnnouncer = $('progress-announcer');
  const errorSection = $('error');
  const resultSection = $('result');

  let running = null;      // the AbortController of the run in flight
  let announcedTenth = -1;

  // Loading a file: strict UTF-8, and no binary data.
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files[0];
    if (!file) {
      return;
    }
    clearError();
    try {
      const text = new TextDecoder('utf-8', {fatal: true}).decode(await file.arrayBuffer());
      if (text.includes('\u0000')) {
        throw new Error(`${file.name} looks like binary data, not text`);
      }
      documentInput.value = text;
      fileStatus.textContent = `Loaded ${file.name}: ${text.length.toLocaleString()} characters.`;
    } catch (e) {
      fileStatus.textContent = '';
      const detail = e instanceof TypeError ? `${file.name} is not UTF-8 text` : e.message;
      showError({title: 'The file cannot be used', detail});
    }
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    summarize();
  });

  cancelButton.addEventListener('click', () => {
    if (running) {
      running.abort();
    }
  });

  async function summarize() {
    const text = documentInput.value;   // the offsets in the answer refer to exactly this text
    if (text.trim() === '') {
      showError({title: 'Nothing to summarize', detail: 'Paste a text or load a file first.'});
      documentInput.focus();
      return;
    }
    if (!sentencesInput.checkValidity()) {
      showError({title: 'Sentences', detail: sentencesInput.validationMessage});
      sentencesInput.focus();
      return;
    }
    const body = {text, sentences: Number(sentencesInput.value)};
    if (modelInput.value.trim() !== '') {
      body.model = modelInput.value.trim();
    }
    const headers = apiHeaders({'Content-Type': 'application/json', 'Accept': 'text/event-stream'});

    clearError();
    resultSection.hidden = true;
    running = new AbortController();
    setBusy(true);
    announcedTenth = -1;
    showProgress(0, 'Starting…');
    try {
      const response = await fetch('v1/summaries', {
        method: 'POST', headers, body: JSON.stringify(body), signal: running.signal,
      });
      if (!response.ok) {
        await showProblem(response);
        progressSection.hidden = true;
        return;
      }
      let summary = null;
      let problem = null;
      for await (const sse of serverSentEvents(response.body)) {
        if (sse.type === 'progress') {
          onProgress(JSON.parse(sse.data));
        } else if (sse.type === 'summary') {
          summary = JSON.parse(sse.data);
        } else if (sse.type === 'problem') {
          problem = JSON.parse(sse.data);
        }
      }
      if (problem !== null) {
        progressSection.hidden = true;
        showError(problem);
        return;
      }
      if (summary === null) {
        throw new Error('the server closed the stream before the summary arrived (see its log)');
      }
      showProgress(100, `Done: ${summary.stats.segments.toLocaleString()} segments, `
          + `${summary.stats.tokens.toLocaleString()} tokens, ${rate(summary.stats.tokensPerSecond)} tokens/s.`);
      announce('Summary ready.');
      showSummary(text, summary);
    } catch (e) {
      if (e.name === 'AbortError') {
        showProgress(Number(progressBar.getAttribute('value')), 'Cancelled.');
        announce('Cancelled.');
      } else {
        progressSection.hidden = true;
        showError({title: 'The summary failed', detail: e.message});
      }
    } finally {
      running = null;
      setBusy(false);
    }
  }

  function onProgress(p) {
    const fraction = p.totalChars > 0 ? p.chars / p.totalChars : (p.segments > 0 ? p.segment / p.segments : 0);
    const percent = Math.min(100, Math.round(fraction * 1000) / 10);
    const of = `${p.estimated ? 'about ' : ''}${p.segments.toLocaleString()}`;
    showProgress(percent, `Segment ${p.segment.toLocaleString()} of ${of} · ${p.tokens.toLocaleString()} tokens · `
        + `${rate(p.tokensPerSecond)} tokens/s`);
    const tenth = Math.floor(percent / 10);
    if (tenth !== announcedTenth && tenth < 10) {
      announcedTenth = tenth;
      announce(`${tenth * 10} percent, segment ${p.segment} of ${of}`);
    }
  }

  function showProgress(percent, text) {
    progressSection.hidden = false;
    // The attribute, not only the property, so the value is visible in the markup.
    progressBar.setAttribute('value', String(percent));
    progressBar.textContent = `${percent}%`;
    progressText.textContent = text;
  }

  function announce(text) {
    progressAnnouncer.textContent = text;
  }

  function rate(perSecond) {
    return Math.round(perSecond).toLocaleString();
  }

  function setBusy(busy) {
    startButton.disabled = busy;
    cancelButton.disabled = !busy;
    form.setAttribute('aria-busy', String(busy));
  }

  function showSummary(text, summary) {
    const list = $('summary-sentences');
    list.replaceChildren(...summary.sentences.map((sentence, i) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = `#picked-${i + 1}`;
      link.textContent = sentence.text.replace(/\s+/g, ' ');
      item.append(link);
      return item;
    }));
    $('stats').textContent = `${summary.sentences.length} of the document's sentences, picked from `
        + `${summary.stats.tokens.toLocaleString()} tokens in ${summary.stats.segments.toLocaleString()} segments `
        + `(${(summary.stats.ms / 1000).toFixed(1)} s, ${rate(summary.stats.tokensPerSecond)} tokens/s).`;

    // The text with each picked sentence in a <mark>; offsets are UTF-16 indices, as JavaScript's.
    const view = $('highlighted');
    const parts = [];
    let at = 0;
    summary.sentences.forEach((sentence, i) => {
      if (sentence.start > at) {
        parts.push(text.slice(at, sentence.start));
      }
      const mark = document.createElement('mark');
      mark.id = `picked-${i + 1}`;
      mark.textContent = text.slice(sentence.start, sentence.end);
      mark.title = `Summary sentence ${i + 1}`;
      parts.push(mark);
      at = sentence.end;
    });
    parts.push(text.slice(at));
    view.replaceChildren(...parts);
    resultSection.hidden = false;
    // Scroll the document view (not the page) to the first picked sentence.
    const first = view.querySelector('mark');
    view.scrollTop = first ? Math.max(0, first.offsetTop - 16) : 0;
  }

  async function showProblem(response) {
    showError(await problemOf(response));
    if (response.status === 401) {
      apiKeyInput.focus();
    }
  }

  function showError(problem) {
    renderProblem('error', problem);
  }

  function clearError() {
    errorSection.hidden = true;
  }

  // ---- Shared by both views ----

  // The request headers of a call to /v1: `extra`, and the API key when one is entered.
  function apiHeaders(extra = {}) {
    const headers = {...extra};
    if (apiKey() !== '') {
      headers['X-API-Key'] = apiKey();
    }
    return headers;
  }

  function apiKey() {
    return apiKeyInput.value.trim();
  }

  // A problem detail (RFC 9457) from the server, or whatever else a failed response holds.
  async function problemOf(response) {
    const type = response.headers.get('Content-Type') || '';
    let problem = null;
    if (type.includes('json')) {
      try {
        problem = await response.json();
      } catch (e) {
        problem = null;
      }
    }
    if (problem === null || typeof problem !== 'object') {
      problem = {title: `${response.status} ${response.statusText}`, detail: (await response.text()).slice(0, 500)};
    }
    problem.status = problem.status || response.status;
    return problem;
  }

  // Shows `problem` in the box whose parts' ids start with `prefix` (`error`, `jobs-error`).
  function renderProblem(prefix, problem) {
    $(`${prefix}-title`).textContent = problem.title || 'Error';
    $(`${prefix}-detail`).textContent = problem.detail || '';
    const list = $(`${prefix}-list`);
    list.replaceChildren(...(Array.isArray(problem.errors) ? problem.errors : []).map((error) => {
      const item = document.createElement('li');
      item.textContent = error.field ? `${error.field}: ${error.message}` : JSON.stringify(error);
      return item;
    }));
    const fields = $(`${prefix}-fields`);
    fields.replaceChildren();
    for (const name of ['status', 'type', 'instance']) {
      if (problem[name] !== undefined && problem[name] !== null) {
        const term = document.createElement('dt');
        term.textContent = name;
        const value = document.createElement('dd');
        value.textContent = String(problem[name]);
        fields.append(term, value);
      }
    }
    $(prefix).hidden = false;
  }

  // Server-sent events (text/event-stream) from a fetch body: yields {type, data} per event.
  // Lines end with CRLF, LF or CR; a CR at the end of a chunk waits for the next one, which may
  // start with its LF. An event without data is not dispatched, nor an unfinished one at the end.
  async function* serverSentEvents(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    const lineEnd = /\r\n|\n|\r(?=[^\n])/;
    let buffer = '';
    let type = '';
    let data = [];
    try {
      for (;;) {
        const {value, done} = await reader.read();
        if (done) {
          return;
        }
        buffer += value;
        let match;
        while ((match = lineEnd.exec(buffer)) !== null) {
          const line = buffer.slice(0, match.index);
          buffer = buffer.slice(match.index + match[0].length);
          if (line === '') {
            if (data.length > 0) {
              yield {type: type || 'message', data: data.join('\n')};
            }
            type = '';
            data = [];
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            let fieldValue = colon < 0 ? '' : line.slice(colon + 1);
            if (fieldValue.startsWith(' ')) {
              fieldValue = fieldValue.slice(1);
            }
            if (field === 'event') {
              type = fieldValue;
            } else if (field === 'data') {
              data.push(fieldValue);
            }
          }
        }
      }
    } finally {
      reader.releaseLock();
    }
  }
})();
