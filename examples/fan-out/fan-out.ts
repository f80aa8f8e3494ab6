// Map-task fan-out: score a batch of product reviews in parallel (one run per review, at most 4 at once), then
// summarise. A run may fail on a malformed review without failing the batch: 75% must succeed.
import { map, t, task, TaskFailure, workflow } from "@aloft/sdk";

const positive = ["great", "love", "excellent", "perfect", "fast", "recommend"];
const negative = ["broken", "slow", "refund", "terrible", "late", "disappointed"];

/** A lexicon score in [-1, 1]: (positive words − negative words) / words matched. */
export const scoreReview = task(
  { inputs: { review: t.string() }, outputs: t.float(), retries: 1 },
  ({ review }) => {
    if (review.trim() === "") throw new TaskFailure("empty review", "EMPTY_REVIEW");
    const words = review.toLowerCase().match(/[a-z]+/g) ?? [];
    const pos = words.filter((w) => positive.includes(w)).length;
    const neg = words.filter((w) => negative.includes(w)).length;
    return pos + neg === 0 ? 0 : (pos - neg) / (pos + neg);
  },
);

export const summarise = task(
  { inputs: { scores: t.list(t.optional(t.float())) }, outputs: { mean: t.float(), scored: t.int(), failed: t.int() } },
  ({ scores }) => {
    const ok = scores.filter((s): s is number => s !== null);
    return { mean: ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : 0, scored: ok.length, failed: scores.length - ok.length };
  },
);

export const scoreReviews = workflow(
  { inputs: { reviews: t.list(t.string()) }, outputs: { mean: t.float(), scored: t.int(), failed: t.int() } },
  ({ reviews }) => {
    const scores = map(scoreReview, { concurrency: 4, minSuccessRatio: 0.75 })({ review: reviews });
    return summarise({ scores });
  },
);
