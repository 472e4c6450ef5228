"""`alarms apply`: the function's CLS log topic gets the shipped index and alarm policies.

Tencent Cloud only (on AWS the deploy creates the alarms). Applies deploy/tencent/cls/index.json
and the policies of deploy/tencent/cls/alarms.json (thresholds: deploy/alarm-thresholds.json) to
the log topic the function writes to, notifying an existing CLS notification group. Running it
again updates what differs and never duplicates a policy; --dry-run only says what it would do.

Credentials: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (never printed).
Exit statuses: 0 applied (or nothing to change); 2 usage or configuration; 1 stopped part-way;
3 credentials refused or not allowed; 4 topic or notification group not found; 5 refused by CLS;
6 CLS unreachable or busy (run it again: it is safe).
"""

from __future__ import annotations

import argparse

from voice_receipts.tools.cli.common import settings as read_settings


def add(sub, common) -> None:
    a = sub.add_parser(
        "alarms",
        help="Tencent: apply the CLS index and alarm policies to the function's log topic",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = a.add_subparsers(dest="alarms_command", required=True, metavar="apply")
    apply = what.add_parser(
        "apply",
        help="create or update the index and the policies",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    apply.add_argument("--topic-id", required=True, metavar="ID", help="the function's CLS log topic id")
    apply.add_argument(
        "--notice-group",
        required=True,
        metavar="NAME|notice-…",
        help="an existing CLS notification group (告警通知渠道组), by name or id",
    )
    apply.add_argument(
        "--region", help="the topic's region, e.g. ap-guangzhou (default: $VOICE_RECEIPTS_TENCENT_REGION)"
    )
    apply.add_argument(
        "--stage", default="prod", help="names the policies voice-receipts-STAGE-… (default prod)"
    )
    apply.add_argument("--dry-run", action="store_true", help="say what would change; change nothing")
    apply.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voice_receipts.tools import alarms, cls_api
    from voice_receipts.tools.errors import UsageError

    settings = read_settings(args)
    region = args.region or settings.tencent_region
    if not region:
        raise UsageError("--region is required (or set VOICE_RECEIPTS_TENCENT_REGION)")
    if not args.notice_group.strip():
        raise UsageError("--notice-group must name an existing CLS notification group")
    client = cls_api.build_client(settings, region)
    alarms.apply(
        client,
        topic_id=args.topic_id,
        notice_group_name=args.notice_group,
        stage=args.stage,
        dry_run=args.dry_run,
        report=lambda change: print(change, flush=True),
    )
    return 0
