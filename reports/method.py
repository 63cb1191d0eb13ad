"""Section 5, method and caveats: tiers, relations, radii, precision codes, gaps, attribution."""

from __future__ import annotations

from strikemap.geo.wording import format_distance
from strikemap.layers.catalog import CATALOG
from strikemap.layers.schema import GEO_PRECISION_LABELS
from strikemap.maps.static.captions import filters_text, publishers, source_publisher
from strikemap.reports.context import ReportContext, as_list
from strikemap.reports.document import Block, Heading, Paragraph, Table, text
from strikemap.reports.tiers import TIER_WORDS, TIERS

RELATION_MEANINGS: dict[str, str] = {
    "target": "the sources name the asset, or it lies within the hit radius",
    "nearby": "the asset lies within the threat radius",
    "owner": "relations.csv: the country owns the asset (valid on the strike's date)",
    "supply_origin": "relations.csv: the asset carries the country's gas, oil or power",
    "serves": "relations.csv: the asset supplies the country",
    "transit": "relations.csv: the asset's route crosses the country",
    "downstream": "reached from a hit asset along the pipeline network in the flow direction",
    "location": "the country the strike lies in",
    "border": "a foreign country within the border radius of the strike (spill-over risk)",
}
CAVEATS: tuple[str, ...] = (
    "Strikes are those reported by the cited sources and recorded in the data; unreported or "
    "unlocated strikes are missing, and the data ends at its cut-off date.",
    "Many strike and asset positions are town or region centroids (precision 1-3): distances "
    "between them are approximate, and an asset at a centroid is only ever 'nearby' unless the "
    "sources name it.",
    "A link says that a strike touched an asset tied to the country, not that the country "
    "suffered a loss: damage, outages and volumes are outside the data.",
    "Relations (ownership, supply, transit) come from relations.csv with the dates their "
    "sources give; a relation without dates is taken as valid throughout.",
    "Pipeline routes drawn as schematic lines are not surveyed routes; downstream reach follows "
    "the modelled network only.",
)


def method_blocks(ctx: ReportContext) -> list[Block]:
    """Return the method, caveats and attribution section."""
    analysis = ctx.analysis
    rules = analysis.rules
    blocks: list[Block] = [Heading("Method and caveats", anchor="method")]
    blocks.append(
        Paragraph(
            text(
                "Every number and chain in this report comes from strikemap's impact join over "
                "the data folder, for the view described on the cover: the same numbers as "
                f"`strikemap impact --summary --country {ctx.country}` and the app with the same "
                "filters and radii."
            )
        )
    )
    blocks.append(Heading("Evidence tiers", level=2))
    for tier in TIERS:
        blocks.append(Paragraph(text(f"{tier.capitalize()}: {TIER_WORDS[tier]}.")))
    blocks.append(
        Paragraph(
            text(
                "A country link is never more confident than the asset link it rests on; a "
                "strike counts in the strongest tier of its links to the country."
            )
        )
    )
    blocks.append(Heading("Relations", level=2))
    blocks.append(
        Table(
            ("relation", "meaning"),
            tuple((text(r.replace("_", " ")), text(m)) for r, m in RELATION_MEANINGS.items()),
            (0.2, 0.8),
        )
    )
    blocks.append(Heading("Radii used", level=2))
    rows = []
    for precision, label in GEO_PRECISION_LABELS.items():
        hit = rules.hit_radius_m.get(precision)
        threat = rules.threat_radius_m.get(precision)
        rows.append(
            (
                text(str(precision)),
                text(label),
                text(format_distance(hit) if hit is not None else "only named targets"),
                text(format_distance(threat) if threat is not None else "only named targets"),
            )
        )
    blocks.append(
        Table(
            ("precision", "location known to", "hit radius", "threat radius"),
            tuple(rows),
            (
                0.12,
                0.48,
                0.2,
                0.2,
            ),
        )
    )
    blocks.append(
        Paragraph(
            text(
                "A strike-asset pair takes the radii of the coarser of the two precisions. "
                f"Border radius: {format_distance(rules.border_radius_m)}. Distances are "
                "geodesic."
            )
        )
    )
    filters = filters_text(analysis.view, country_names=analysis.country_names)
    blocks.append(Heading("The selection", level=2))
    blocks.append(
        Paragraph(
            text(
                "Strike statuses shown: "
                + ", ".join(analysis.view.statuses)
                + ". Filters: "
                + ("; ".join(filters) or "none")
                + "."
            )
        )
    )
    blocks.append(Heading("What is not covered", level=2))
    blocks += [Paragraph(text(f"• {caveat}")) for caveat in CAVEATS]
    blocks += attribution_blocks(ctx)
    return blocks


def attribution_blocks(ctx: ReportContext) -> list[Block]:
    """Return who to credit: each layer's attribution, strike publishers, relation sources."""
    blocks: list[Block] = [Heading("Sources and attribution", level=2)]
    by_credit: dict[str, list[str]] = {}
    for spec in CATALOG:
        if spec.attribution:
            by_credit.setdefault(spec.attribution, []).append(spec.title.lower())
    for credit, layers in by_credit.items():
        blocks.append(Paragraph(text(f"{credit}: {', '.join(layers)}.")))
    strikes = publishers(ctx.analysis.strikes)
    if strikes:
        blocks.append(Paragraph(text("Strike reports cited: " + ", ".join(strikes) + ".")))
    relations = ctx.analysis.dataset.relations
    rows = relations[relations["country"].astype(str) == ctx.country]
    cited = sorted({source_publisher(s) for s in as_list(rows["source"])}, key=str.lower)
    if cited:
        blocks.append(Paragraph(text(f"Relations of {ctx.name} cited: " + ", ".join(cited) + ".")))
    blocks.append(Paragraph(text("Made with strikemap."), "note"))
    return blocks
