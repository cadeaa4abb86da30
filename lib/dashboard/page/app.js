// The dashboard's page: builds the panels once the server has said hello
// (which cluster, which members), then keeps them up to date from the
// server's events. Plain ES modules, no build step, nothing loaded from
// anywhere but this server.
import { connect, post } from './api.js';
import { clock, fill, h } from './dom.js';
import { createFaults } from './faults.js';
import { createKeys } from './keys.js';
import { createLog } from './log.js';
import { createMembers } from './members.js';
import { createReplication } from './replication.js';
import { createTimeline } from './timeline.js';

const $ = (id) => document.getElementById(id);
/** For the browser test and the curious: how many looks arrived, and when the last did. */
const stats = (window.dashboard = { states: 0, lastStateAt: 0, firstStateAt: 0 });

let panels;
let history = [];
let disconnect = () => {};

function build(info) {
  const kind = info.kind === 'faults' ? `${info.members.length} members of its own, behind peer proxies`
    : info.kind === 'local' ? `the local cluster (${info.members.length} members)`
      : `a shared cluster, your keys under ${info.namespace}`;
  fill($('cluster'), kind);
  $('faults-section').hidden = !info.faults;
  document.body.classList.toggle('with-faults', info.faults);
  const log = createLog($('log'));
  const faults = info.faults ? createFaults($('faults'), info, { fault }) : undefined;
  const members = createMembers($('members'), info, { fault });
  const replication = createReplication($('replication'), info, { onChange: (keys) => listen(keys) });
  const keys = createKeys($('keys'), info, { onWrite: (key) => replication.follow(key), follow: (key) => replication.follow(key) });
  const timeline = createTimeline($('timeline'), info);
  return { info, log, faults, members, replication, keys, timeline };

  async function fault(request) {
    try {
      const answer = await post('fault', request);
      faults?.show(answer);
    } catch (error) {
      faults?.show({ ok: false, text: error.message });
    }
  }
}

function onState(state) {
  stats.states++;
  stats.lastStateAt = performance.now();
  stats.firstStateAt ||= stats.lastStateAt;
  panels.members.update(state.members);
  panels.replication.update(state);
  const banner = $('agreement');
  // The same data on every member that answers, while some do not: said, but not in green.
  const partial = state.agreement.verdict === 'same' && state.members.some((m) => !m.answering);
  banner.className = `agreement ${partial ? 'partial' : state.agreement.verdict}`;
  fill(banner, h('span', { class: 'icon' }, state.agreement.verdict === 'same' ? '✔' : state.agreement.verdict === 'behind' ? '⚠' : '✖'), ' ', state.agreement.text);
  if (state.sample) {
    history.push(state.sample);
    const from = state.sample.at - panels.info.historyMs;
    while (history.length && history[0].at < from) history.shift();
  }
  panels.timeline.draw(history, panels.log.entries);
  fill($('updated'), `updated ${clock(state.at)}`);
  document.body.dataset.ready = 'true';
}

/** (Re)connects the event stream, following `keys` in the replication view. */
function listen(keys) {
  disconnect();
  disconnect = connect(keys, {
    hello(hello) {
      panels ??= build(hello.info);
      history = [...hello.history];
      panels.log.reset(hello.log);
      if (hello.latest) onState({ ...hello.latest, copies: [] });
    },
    state: onState,
    log(entry) {
      panels?.log.add(entry);
    },
    open() {
      $('live').className = 'live on';
      fill($('live'), 'live');
    },
    error() {
      $('live').className = 'live off';
      fill($('live'), 'reconnecting…');
    },
  });
}

// Before the server answers at all: say so, instead of an empty page.
fill($('members'), h('p', { class: 'muted' }, 'Asking the members…'));
listen(JSON.parse(sessionStorage.getItem('etcd-dashboard-followed') ?? '[]'));
window.addEventListener('resize', () => panels?.timeline.draw(history, panels.log.entries));
