// A decision vote's rule as a form: the majority (simple, absolute, two thirds or another share)
// over a base (valid votes, votes cast, present, entitled) and the quorum needed to open it. The
// organizer's poll builder and the chair's console both build it from here, so the chair can
// call every rule the builder can (docs/plenary.md "Quorum and majority").

import { h, field } from "./dom.js";
import { t } from "./i18n.js";

const MAJORITIES = ["simple", "absolute", "two_thirds", "fraction"];
const BASES = ["valid", "cast", "present", "entitled"];
const SHARE = "\\d+/\\d+";

/**
 * The rule's fields, their ids prefixed with `prefix`. `optional`: a first choice of no rule
 * (the builder's plain yes/no/abstain poll). `values` (as `values()` returns them) fills them.
 */
export function ruleFields(prefix, { optional = false, values = {} } = {}) {
  const majority = h("select", { id: `${prefix}-majority` }, [...(optional ? [""] : []), ...MAJORITIES]
    .map((v) => h("option", { value: v }, t(v ? `decision.majority_${v}` : "decision.no_rule"))));
  const base = h("select", { id: `${prefix}-base` }, BASES.map((v) => h("option", { value: v }, t(`decision.base_${v}`))));
  const share = h("input", { id: `${prefix}-share`, value: "3/5", pattern: SHARE });
  const quorum = h("input", { id: `${prefix}-quorum`, value: "0/1", pattern: SHARE });
  const shareField = field(t("decision.share"), share);
  const element = h("div", { class: "two-col" }, field(t("decision.majority"), majority), field(t("decision.base"), base),
    shareField, field(t("decision.quorum"), quorum, t("decision.quorum_hint")));
  const sync = () => { shareField.hidden = majority.value !== "fraction"; };
  majority.addEventListener("change", sync);
  const fields = {
    element,
    /** Whether a rule is chosen (an optional one may be left at none). */
    chosen: () => Boolean(majority.value),
    /** The rule for a spec; throws (a translated message) on a share that is not "3/5"-shaped. */
    rule: () => ruleOf(majority.value, base.value, share.value, quorum.value),
    values: () => ({ majority: majority.value, base: base.value, share: share.value, quorum: quorum.value }),
    /** Show `rule` (a spec's), or none. */
    show(rule) {
      fields.fill(rule ? { majority: rule.majority, base: rule.base, share: `${rule.numerator}/${rule.denominator}`,
        quorum: `${rule.quorum_numerator}/${rule.quorum_denominator}` } : { majority: optional ? "" : "simple" });
    },
    fill(v) {
      if (v.majority !== undefined) majority.value = v.majority;
      if (v.base !== undefined) base.value = v.base;
      if (v.share !== undefined) share.value = v.share;
      if (v.quorum !== undefined) quorum.value = v.quorum;
      sync();
    },
  };
  fields.fill(values);
  return fields;
}

/** A decision rule from the fields' values; "3/5" shares (the server checks the bounds). */
export function ruleOf(majority, base, share, quorum) {
  const fraction = (text) => {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text || "");
    if (!match) throw new Error(t("decision.share_format"));
    return [Number(match[1]), Number(match[2])];
  };
  const [numerator, denominator] = majority === "fraction" ? fraction(share) : [1, 2];
  const [quorumNumerator, quorumDenominator] = fraction(quorum);
  return { majority, base, numerator, denominator, quorum_numerator: quorumNumerator, quorum_denominator: quorumDenominator };
}
