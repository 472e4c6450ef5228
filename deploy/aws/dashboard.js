// The CloudWatch dashboard's body (deploy/aws/alarms.yml: DashboardBody), written as an object
// and turned into the JSON string CloudFormation wants. The function's name and the region are
// only known to CloudFormation, so the string is an Fn::Join of text and Refs: no `${...}`, which
// osls would take for a variable of its own.
//
// Widgets: receipts per minute by outcome, answer rate, calls by final state, p99 duration,
// cold starts, errors. Metrics: voice_receipts/metrics.py (namespace VoiceReceipts) and AWS/Lambda.

'use strict';

const FUNCTION = '@@FUNCTION@@';
const REGION = '@@REGION@@';
const NS = 'VoiceReceipts';
const OUTCOMES = ['stored', 'duplicate', 'rejected', 'unauthorized', 'unavailable', 'error'];
const STATES = ['answered', 'not_answered', 'call_error', 'failed', 'undocumented'];

function widget(x, y, title, properties, width = 12, height = 6) {
  return {
    type: 'metric',
    x,
    y,
    width,
    height,
    properties: { title, region: REGION, view: 'timeSeries', ...properties },
  };
}

function body() {
  return {
    widgets: [
      widget(0, 0, 'Receipts per minute, by outcome', {
        stacked: true,
        period: 60,
        stat: 'Sum',
        metrics: OUTCOMES.map((o) => [NS, 'Receipts', 'function', FUNCTION, 'outcome', o, { label: o }]),
      }),
      widget(12, 0, 'Answer rate, % of status receipts (hourly)', {
        period: 3600,
        stat: 'Sum',
        yAxis: { left: { min: 0, max: 100 } },
        metrics: [
          // FILL: an hour without a state is zero calls of it, not a gap in the rate
          [{ expression: '100 * FILL(a, 0) / (FILL(a, 0) + FILL(n, 0) + FILL(c, 0))', label: 'answered %', id: 'rate' }],
          [NS, 'Calls', 'function', FUNCTION, 'state', 'answered', { id: 'a', visible: false }],
          [NS, 'Calls', 'function', FUNCTION, 'state', 'not_answered', { id: 'n', visible: false }],
          [NS, 'Calls', 'function', FUNCTION, 'state', 'call_error', { id: 'c', visible: false }],
        ],
      }),
      widget(0, 6, 'Calls by final state (hourly)', {
        stacked: true,
        period: 3600,
        stat: 'Sum',
        view: 'bar',
        metrics: STATES.map((s) => [NS, 'Calls', 'function', FUNCTION, 'state', s, { label: s }]),
      }),
      widget(12, 6, 'Duration per invocation, ms', {
        period: 300,
        metrics: [
          ['AWS/Lambda', 'Duration', 'FunctionName', FUNCTION, { stat: 'p99', label: 'p99' }],
          ['AWS/Lambda', 'Duration', 'FunctionName', FUNCTION, { stat: 'p50', label: 'p50' }],
        ],
      }),
      widget(0, 12, 'Cold starts and init duration (ms, from process start)', {
        period: 300,
        metrics: [
          [NS, 'ColdStarts', 'function', FUNCTION, { stat: 'Sum', label: 'cold starts' }],
          [NS, 'InitDuration', 'function', FUNCTION, { stat: 'p99', label: 'init p99, ms', yAxis: 'right' }],
        ],
      }),
      widget(12, 12, 'Errors', {
        period: 300,
        stat: 'Sum',
        metrics: [
          [NS, 'Receipts', 'function', FUNCTION, 'outcome', 'error', { label: '500 (bug)' }],
          [NS, 'Receipts', 'function', FUNCTION, 'outcome', 'unavailable', { label: '503 (store refused)' }],
          [NS, 'Receipts', 'function', FUNCTION, 'outcome', 'unauthorized', { label: '401/403' }],
          ['AWS/Lambda', 'Errors', 'FunctionName', FUNCTION, { label: 'function errors' }],
          ['AWS/Lambda', 'Throttles', 'FunctionName', FUNCTION, { label: 'throttles' }],
        ],
      }),
    ],
  };
}

// JSON text with Refs spliced in where the placeholders were
function joined(text) {
  const refs = { [FUNCTION]: { Ref: 'ReceiveLambdaFunction' }, [REGION]: { Ref: 'AWS::Region' } };
  const parts = text.split(/(@@FUNCTION@@|@@REGION@@)/).map((p) => refs[p] || p);
  return { 'Fn::Join': ['', parts.filter((p) => p !== '')] };
}

module.exports = () => joined(JSON.stringify(body()));
module.exports.body = body;
