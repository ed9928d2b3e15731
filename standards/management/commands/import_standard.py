from django.core.management.base import BaseCommand, CommandError

from standards.errors import StandardImportError
from standards.parsing import load_standard_file
from standards.services.imports import ImportNeedsChoice, import_standard, preview_import
from standards.services.plans import ImportPlan

# Who the history names for an import from the command line, where no one is signed in.
COMMAND_ACTOR = "operator via command"
CHOICE_HINT = (
    "Run again with --keep-retired to keep the records on the old statements (shown as "
    "retired), or --remap OLD=NEW,... (for example --remap S3=S5,S5=S3) to move the records "
    "of those codes to a code in the file; codes not in --remap then need --keep-retired."
)


def parse_remap(values: list[str]) -> dict[str, str]:
    """["S3=S5,S5=S3", "D2=D4"] -> {"S3": "S5", "S5": "S3", "D2": "D4"}."""
    pairs = {}
    for value in values:
        for pair in filter(None, (p.strip() for p in value.split(","))):
            old, sep, new = pair.partition("=")
            if not sep or not old.strip() or not new.strip():
                raise CommandError(
                    f"--remap takes pairs like S3=S5, separated by commas; {pair!r} is not one."
                )
            pairs[old.strip().upper()] = new.strip().upper()
    return pairs


def describe_plan(plan: ImportPlan) -> list[str]:
    """The differences as lines of text: what the command prints."""
    lines = [f"{plan.standard_version} is already loaded. What this file changes:"]
    if plan.added:
        lines.append(f"  Added: {', '.join(s.code for s in plan.added)}")
    for change in plan.changed:
        lines += [
            f"  Changed {change.code}:",
            f"      was: {change.old_text}",
            f"      now: {change.new_text}",
            f"      records that refer to it: {change.references_text}",
        ]
        if change.same_text_in:
            lines.append(f"      the old text is {change.same_text_in} in the file")
    for change in plan.removed:
        lines += [
            f"  Removed {change.code}: {change.old_text}",
            f"      records that refer to it: {change.references_text}",
        ]
        if change.same_text_in:
            lines.append(f"      the same text is {change.same_text_in} in the file")
    for item in plan.map_changes:
        gains = f"gains {', '.join(item.added)}" if item.added else ""
        loses = f"loses {', '.join(item.removed)}" if item.removed else ""
        lines.append(f"  Duty-to-KSB map: {item.duty} {'; '.join(filter(None, [gains, loses]))}")
    if len(lines) == 1:
        lines.append("  No statement is added, changed or removed.")
    return lines


class Command(BaseCommand):
    help = (
        "Import one standard version from a standards API JSON file. Upserts by reference and "
        "version; all or nothing. A file that changes or removes statements already loaded "
        "is refused, with the differences, until you choose --keep-retired or --remap."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path to the JSON file.")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when this reference and version are already loaded.",
        )
        parser.add_argument(
            "--keep-retired",
            action="store_true",
            help="Records that refer to a changed or removed statement stay on the old "
            "statement, kept as retired.",
        )
        parser.add_argument(
            "--remap",
            action="append",
            default=[],
            metavar="OLD=NEW,...",
            help="Move the records of a changed or removed code to a code in the file.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what the file would change, and change nothing.",
        )

    def handle(self, *args, path: str, if_missing: bool, **options):
        remap = parse_remap(options["remap"])
        try:
            data = load_standard_file(path)
            parsed, plan = preview_import(data=data)
            if plan is not None and if_missing:
                self.stdout.write(f"{parsed.reference} v{parsed.version} is already loaded.")
                return
            if options["dry_run"]:
                if plan is None:
                    self.stdout.write(f"{parsed.reference} v{parsed.version} would be created.")
                else:
                    self.stdout.write("\n".join(describe_plan(plan)))
                self.stdout.write("Dry run: nothing was changed.")
                return
            result = import_standard(
                data=data,
                by_label=COMMAND_ACTOR,
                choices=remap,
                keep_retired=options["keep_retired"],
            )
        except ImportNeedsChoice as refusal:
            self.stdout.write("\n".join(describe_plan(refusal.plan)))
            raise CommandError(f"Nothing was imported. {refusal} {CHOICE_HINT}") from None
        except StandardImportError as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in result.counts.items())
        verb = "Created" if result.created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {result.standard_version}: {counts}."))
        if result.plan is not None and result.plan.added:
            self.stdout.write(f"Added: {', '.join(s.code for s in result.plan.added)}.")
        for code, outcome in result.outcomes.items():
            self.stdout.write(f"{code}: {outcome}.")
