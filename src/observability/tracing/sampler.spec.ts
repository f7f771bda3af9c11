import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import type { TraceSamplerName, TracingSettings } from '../../config/app-config';
import { samplerFor } from './sampler';

/** A trace id that any ratio above 0 samples: near zero in whichever bytes a ratio sampler reads. */
const LOW_TRACE_ID = '00000000000000000000000000000001';

function settings(sampler: TraceSamplerName, samplerRatio = 1): TracingSettings {
  return {
    endpoint: 'http://localhost:4318/v1/traces',
    headers: {},
    serviceName: 'kona-bff',
    resourceAttributes: {},
    sampler,
    samplerRatio,
  };
}

/** The caller's span, sampled or not, as the server span's remote parent. */
function callerContext(sampled: boolean) {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: LOW_TRACE_ID,
    spanId: '00f067aa0ba902b7',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
}

/** Whether `name` records: a trace that starts here, under a sampled caller, an unsampled one. */
function decisions(name: TraceSamplerName, ratio?: number) {
  const sampler = samplerFor(settings(name, ratio));
  const records = (context: typeof ROOT_CONTEXT) =>
    sampler.shouldSample(context, LOW_TRACE_ID, 'GET /x', SpanKind.SERVER, {}, []).decision ===
    SamplingDecision.RECORD_AND_SAMPLED;
  return {
    root: records(ROOT_CONTEXT),
    sampledCaller: records(callerContext(true)),
    unsampledCaller: records(callerContext(false)),
  };
}

describe('samplerFor', () => {
  it.each([
    ['always_on', undefined, { root: true, sampledCaller: true, unsampledCaller: true }],
    ['always_off', undefined, { root: false, sampledCaller: false, unsampledCaller: false }],
    ['traceidratio', 0, { root: false, sampledCaller: false, unsampledCaller: false }],
    ['traceidratio', 0.5, { root: true, sampledCaller: true, unsampledCaller: true }],
    [
      'parentbased_always_on',
      undefined,
      { root: true, sampledCaller: true, unsampledCaller: false },
    ],
    [
      'parentbased_always_off',
      undefined,
      { root: false, sampledCaller: true, unsampledCaller: false },
    ],
    ['parentbased_traceidratio', 0, { root: false, sampledCaller: true, unsampledCaller: false }],
  ] as const)('%s (ratio %s) decides %j', (name, ratio, expected) => {
    // Act
    const decided = decisions(name, ratio);

    // Assert
    expect(decided).toEqual(expected);
  });
});
