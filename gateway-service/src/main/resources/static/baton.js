// The page's two views.
// Summary: sends the text to POST /v1/summaries asking for text/event-stream, shows a progress
// event per segment, then the summary and the picked sentences highlighted in the text.
// EventSource cannot POST, so the stream is read with fetch and parsed here.
// Batch jobs: submits a file of requests to POST /v1/jobs, lists the tenant's jobs (GET /v1/jobs)
// and watches each unfinished one: through EventSource on its /events stream, or, when an API key
// is to be sent (EventSource cannot send headers), by fetching GET /v1/jobs/{id} every second.
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
    // `line`: the line of a job's file that was refused; `request`: its place in a JSON array.
    for (const name of ['status', 'type', 'instance', 'line', 'request']) {
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

  // ---- The jobs view ----

  const FINISHED = new Set(['completed', 'cancelled', 'expired', 'failed']);
  const JOBS_PAGE = 20;
  const POLL_MS = 1000;
  // A browser opens at most six HTTP/1.1 connections to a server, and each event stream holds one
  // for as long as its job runs: beyond this many, further jobs are polled instead, which leaves
  // connections for the page's other calls.
  const MAX_STREAMS = 3;

  const jobsForm = $('jobs-form');
  const jobsFile = $('jobs-file');
  const jobsFileStatus = $('jobs-file-status');
  const jobsSubmit = $('jobs-submit');
  const jobsRefresh = $('jobs-refresh');
  const jobsMore = $('jobs-more');
  const jobsStatus = $('jobs-status');
  const jobsAnnouncer = $('jobs-announcer');
  const jobList = $('job-list');

  const items = new Map();     // job id -> {element, job, tenth, touched}
  const watchers = new Map();  // job id -> {stream, stop()}: how an unfinished job is followed
  let nextPage = null;         // the `after` of the next page of the list
  let changes = 0;             // counts list changes, so that a late list answer drops nothing newer

  jobsFile.addEventListener('change', () => {
    const file = jobsFile.files[0];
    jobsFileStatus.textContent = file ? `${file.name}: ${file.size.toLocaleString()} bytes.` : '';
  });

  jobsForm.addEventListener('submit', (event) => {
    event.preventDefault();
    submitJob();
  });

  jobsRefresh.addEventListener('click', () => loadJobs(null));
  jobsMore.addEventListener('click', () => loadJobs(nextPage));
  // A key entered (or changed) may be what the list needed; jobs watched from now on send it.
  apiKeyInput.addEventListener('change', () => loadJobs(null));

  loadJobs(null);

  async function submitJob() {
    const file = jobsFile.files[0];
    if (!file) {
      showJobsProblem({title: 'No file chosen', detail: 'Choose a file of requests first.'});
      jobsFile.focus();
      return;
    }
    clearJobsProblem();
    let text;
    try {
      text = new TextDecoder('utf-8', {fatal: true}).decode(await file.arrayBuffer());
    } catch (e) {
      showJobsProblem({title: 'The file cannot be used', detail: `${file.name} is not UTF-8 text`});
      return;
    }
    // A JSON array goes as {"requests": [...]}, untouched, so that the server's checks (and the
    // position a refusal names) are about exactly the file; anything else as NDJSON lines.
    const array = text.trimStart().startsWith('[');
    const body = array ? `{"requests": ${text}}` : text;
    const contentType = array ? 'application/json' : 'application/x-ndjson';

    jobsSubmit.disabled = true;
    jobsForm.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch('v1/jobs', {
        method: 'POST', headers: apiHeaders({'Content-Type': contentType, 'Accept': 'application/json'}), body,
      });
      if (!response.ok) {
        const problem = await problemOf(response);
        if (array && problem.line !== undefined) {
          problem.request = problem.line;   // for a JSON body, the request's place in the array
          delete problem.line;
        }
        showJobsProblem(problem);
        if (response.status === 401) {
          apiKeyInput.focus();
        }
        return;
      }
      const job = await response.json();
      jobsStatus.textContent = `Job ${job.id} submitted from ${file.name}: `
          + `${job.counts.total.toLocaleString()} requests.`;
      place(job, true);
    } catch (e) {
      showJobsProblem({title: 'The job was not submitted', detail: e.message});
    } finally {
      jobsSubmit.disabled = false;
      jobsForm.setAttribute('aria-busy', 'false');
    }
  }

  // Loads the first page of the list (after == null), replacing it, or the page after `after`.
  async function loadJobs(after) {
    const started = changes;
    const url = `v1/jobs?limit=${JOBS_PAGE}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    jobList.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch(url, {headers: apiHeaders({'Accept': 'application/json'})});
      if (response.status === 401 && apiKey() === '') {
        jobsStatus.textContent = 'The server asks for an API key: enter it above to see your jobs.';
        return;
      }
      if (!response.ok) {
        showJobsProblem(await problemOf(response));
        return;
      }
      const page = await response.json();
      if (after === null) {
        // Jobs placed while the list was on its way (one just submitted) stay; others not listed go.
        const listed = new Set(page.jobs.map((job) => job.id));
        for (const [id, item] of items) {
          if (!listed.has(id) && item.touched <= started) {
            forget(id);
          }
        }
        if (page.jobs.length === 0 && items.size === 0) {
          jobsStatus.textContent = 'No jobs yet.';
        }
      }
      page.jobs.forEach((job) => place(job, false));
      if (after === null) {
        // In the server's order, below any placed meanwhile (newer than all of these).
        page.jobs.forEach((job) => jobList.append(items.get(job.id).element));
      }
      nextPage = page.next;
      jobsMore.hidden = !page.next;
    } catch (e) {
      showJobsProblem({title: 'The jobs could not be listed', detail: e.message});
    } finally {
      jobList.setAttribute('aria-busy', 'false');
    }
  }

  // Shows `job`: a new item at the top (first: just submitted) or at the end of the list, or the
  // item it has; then follows it while it is unfinished.
  function place(job, first) {
    let item = items.get(job.id);
    if (!item) {
      item = {element: jobElement(job.id), job: null, tenth: -1, touched: 0};
      items.set(job.id, item);
      if (first) {
        jobList.prepend(item.element);
      } else {
        jobList.append(item.element);
      }
    }
    item.touched = ++changes;
    update(job);
    watch(job);
  }

  function jobElement(id) {
    const element = document.createElement('li');
    element.className = 'job';
    element.dataset.jobId = id;
    element.innerHTML = `
      <article>
        <h4 class="job-title">Job <code></code></h4>
        <p class="job-meta"><span class="job-status"></span> <span class="job-times"></span></p>
        <progress class="job-progress" max="1" value="0"></progress>
        <p class="job-counts"></p>
        <p class="job-metadata help" hidden></p>
        <div class="actions">
          <button type="button" class="job-cancel secondary">Cancel</button>
          <button type="button" class="job-download">Download results</button>
          <button type="button" class="job-delete secondary">Delete</button>
        </div>
      </article>`;
    // Ids (set here, never written into markup) tie the bar and the buttons to their job's title.
    const title = `job-${id}-title`;
    const counts = `job-${id}-counts`;
    element.querySelector('.job-title').id = title;
    element.querySelector('code').textContent = id;
    element.querySelector('.job-counts').id = counts;
    element.querySelector('article').setAttribute('aria-labelledby', title);
    const bar = element.querySelector('.job-progress');
    bar.setAttribute('aria-labelledby', title);
    bar.setAttribute('aria-describedby', counts);
    element.querySelectorAll('button').forEach((button) => button.setAttribute('aria-describedby', title));
    element.querySelector('.job-cancel').addEventListener('click', (e) => cancelJob(id, e.currentTarget));
    element.querySelector('.job-download').addEventListener('click', (e) => downloadResults(id, e.currentTarget));
    element.querySelector('.job-delete').addEventListener('click', (e) => deleteJob(id, e.currentTarget));
    return element;
  }

  // Shows what the server said of a job, and announces a new status or tenth of its requests.
  function update(job) {
    const item = items.get(job.id);
    if (!item) {
      return;   // deleted, or no longer listed, while this was on its way
    }
    const before = item.job;
    item.job = job;
    const element = item.element;
    const {total, completed, failed, cancelled} = job.counts;
    const finished = completed + failed + cancelled;
    const status = element.querySelector('.job-status');
    status.textContent = job.status.replace('_', ' ');
    status.className = `job-status status-${job.status}`;
    element.querySelector('.job-times').textContent = times(job);
    const bar = element.querySelector('.job-progress');
    bar.setAttribute('max', String(Math.max(1, total)));
    bar.setAttribute('value', String(finished));
    bar.textContent = `${finished} of ${total}`;
    element.querySelector('.job-counts').textContent = `${finished.toLocaleString()} of ${total.toLocaleString()} `
        + `requests finished: ${completed.toLocaleString()} completed, ${failed.toLocaleString()} failed, `
        + `${cancelled.toLocaleString()} cancelled`;
    const metadata = element.querySelector('.job-metadata');
    const shown = job.metadata && Object.keys(job.metadata).length > 0 ? JSON.stringify(job.metadata) : '';
    metadata.textContent = shown.length > 300 ? `Metadata: ${shown.slice(0, 300)}…` : `Metadata: ${shown}`;
    metadata.hidden = shown === '';
    const over = FINISHED.has(job.status);
    element.querySelector('.job-cancel').hidden = over || job.status === 'cancelling';

    const tenth = total > 0 ? Math.floor((finished * 10) / total) : 0;
    if (before !== null && before.status !== job.status) {
      announceJob(`Job ${job.id}: ${job.status.replace('_', ' ')}, ${completed} completed, ${failed} failed, `
          + `${cancelled} cancelled of ${total}.`);
    } else if (before !== null && tenth !== item.tenth) {
      announceJob(`Job ${job.id}: ${finished} of ${total} requests finished.`);
    }
    item.tenth = tenth;
    if (over) {
      unwatch(job.id);
    }
  }

  function times(job) {
    let text = `· submitted ${when(job.createdAt)}`;
    if (job.completedAt) {
      text += ` · finished ${when(job.completedAt)}`;
    }
    if (job.expiresAt) {
      text += ` · kept until ${when(job.expiresAt)}`;
    }
    return text;
  }

  // An instant as the browser's locale writes it (the server's nanoseconds cut to milliseconds).
  function when(instant) {
    const date = new Date(instant.replace(/(\.\d{3})\d+/, '$1'));
    return Number.isNaN(date.getTime()) ? instant : date.toLocaleString();
  }

  function announceJob(text) {
    jobsAnnouncer.textContent = text;
  }

  // Follows an unfinished job until it finishes, is deleted or leaves the list.
  function watch(job) {
    if (FINISHED.has(job.status) || watchers.has(job.id)) {
      return;
    }
    const streams = [...watchers.values()].filter((w) => w.stream).length;
    if (apiKey() === '' && typeof EventSource === 'function' && streams < MAX_STREAMS) {
      stream(job.id);
    } else {
      poll(job.id);
    }
  }

  // The job's events: `progress` whenever it changed, then `done`, after which the server ends
  // the stream (closed here first, or EventSource would connect again).
  function stream(id) {
    const source = new EventSource(`v1/jobs/${encodeURIComponent(id)}/events`);
    const watcher = {stream: true, stop: () => source.close()};
    watchers.set(id, watcher);
    const onJob = (event) => update(JSON.parse(event.data));
    source.addEventListener('progress', onJob);
    source.addEventListener('done', (event) => {
      source.close();
      onJob(event);
    });
    source.addEventListener('error', () => {
      // The stream failed or ended early (a 404, a restart): EventSource would retry on its own
      // and never tell why; polling finds out whether the job is still there, and carries on.
      if (watchers.get(id) === watcher) {
        source.close();
        watchers.delete(id);
        poll(id);
      }
    });
  }

  function poll(id) {
    let timer = null;
    const watcher = {stream: false, stop: () => clearTimeout(timer)};
    watchers.set(id, watcher);
    const current = () => watchers.get(id) === watcher;
    const tick = async () => {
      let delay = POLL_MS;
      try {
        const response = await fetch(`v1/jobs/${encodeURIComponent(id)}`,
            {headers: apiHeaders({'Accept': 'application/json'})});
        if (!current()) {
          return;
        }
        if (response.status === 404) {
          gone(id, `Job ${id} no longer exists (deleted or expired).`);
          return;
        }
        if (!response.ok) {
          unwatch(id);
          showJobsProblem(await problemOf(response));
          return;
        }
        update(await response.json());
      } catch (e) {
        delay = POLL_MS * 5;   // the server cannot be reached just now: ask again, less often
      }
      if (current()) {
        timer = setTimeout(tick, delay);
      }
    };
    timer = setTimeout(tick, 0);
  }

  function unwatch(id) {
    const watcher = watchers.get(id);
    if (watcher) {
      watchers.delete(id);
      watcher.stop();
    }
  }

  // Takes a job off the page (it stays on the server).
  function forget(id) {
    unwatch(id);
    const item = items.get(id);
    if (item) {
      items.delete(id);
      item.element.remove();
    }
  }

  // A job the server no longer has.
  function gone(id, message) {
    forget(id);
    jobsStatus.textContent = message;
  }

  async function cancelJob(id, button) {
    clearJobsProblem();
    button.disabled = true;
    try {
      const response = await fetch(`v1/jobs/${encodeURIComponent(id)}:cancel`,
          {method: 'POST', headers: apiHeaders({'Accept': 'application/json'})});
      if (response.status === 404) {
        gone(id, `Job ${id} no longer exists (deleted or expired).`);
      } else if (!response.ok) {
        showJobsProblem(await problemOf(response));
      } else {
        // cancelling while requests stop at their next segment, then cancelled; the results
        // finished so far are kept.
        const job = await response.json();
        jobsStatus.textContent = `Job ${id} is ${job.status}.`;
        update(job);
        watch(job);
      }
    } catch (e) {
      showJobsProblem({title: 'The job was not cancelled', detail: e.message});
    } finally {
      button.disabled = false;
    }
  }

  // Saves the results finished so far as <job id>.jsonl, through a Blob URL (a plain link could
  // not send the API key).
  async function downloadResults(id, button) {
    clearJobsProblem();
    button.disabled = true;
    try {
      const response = await fetch(`v1/jobs/${encodeURIComponent(id)}/results`,
          {headers: apiHeaders({'Accept': 'application/x-ndjson'})});
      if (response.status === 404) {
        gone(id, `Job ${id} no longer exists (deleted or expired).`);
        return;
      }
      if (!response.ok) {
        showJobsProblem(await problemOf(response));
        return;
      }
      const text = await response.text();
      const lines = text.split('\n').filter((line) => line.trim() !== '').length;
      const url = URL.createObjectURL(new Blob([text], {type: 'application/x-ndjson'}));
      const link = document.createElement('a');
      link.href = url;
      link.download = `${id}.jsonl`;
      link.hidden = true;
      document.body.append(link);
      link.click();
      link.remove();
      // Revoked later, not at once: the download may still be reading it.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      const job = items.get(id)?.job;
      const sofar = job && !FINISHED.has(job.status) ? ' so far' : '';
      jobsStatus.textContent = `Saved ${lines.toLocaleString()} result lines${sofar} as ${id}.jsonl.`;
    } catch (e) {
      showJobsProblem({title: 'The results were not downloaded', detail: e.message});
    } finally {
      button.disabled = false;
    }
  }

  async function deleteJob(id, button) {
    if (!window.confirm(`Delete job ${id} and its results? Requests still running stop.`)) {
      return;
    }
    clearJobsProblem();
    button.disabled = true;
    try {
      const response = await fetch(`v1/jobs/${encodeURIComponent(id)}`, {method: 'DELETE', headers: apiHeaders()});
      if (response.ok || response.status === 404) {
        gone(id, `Job ${id} deleted.`);
        jobsRefresh.focus();   // the focused button is gone with its job
        return;
      }
      showJobsProblem(await problemOf(response));
    } catch (e) {
      showJobsProblem({title: 'The job was not deleted', detail: e.message});
    }
    button.disabled = false;
  }

  function showJobsProblem(problem) {
    renderProblem('jobs-error', problem);
  }

  function clearJobsProblem() {
    $('jobs-error').hidden = true;
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
