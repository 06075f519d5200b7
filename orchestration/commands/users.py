"""`tandem users add|remove|reset|list`: the dashboards' users, roles and passwords."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from dashboards.access.roles import ROLES

    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create a user (prints a generated password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--name", default="", help="display name")
    remove = actions.add_parser("remove", help="delete a user")
    remove.add_argument("username")
    reset = actions.add_parser("reset", help="set a new generated password, lift a lock-out")
    reset.add_argument("username")
    actions.add_parser("list", help="user names and roles")


def cmd_users(args: argparse.Namespace) -> int:
    from dashboards.access import credentials

    if args.action == "add":
        password = credentials.add_user(args.username, args.role, name=args.name)
        print(f"{args.username} ({args.role}) password: {password}")
    elif args.action == "remove":
        credentials.remove_user(args.username)
        print(f"removed {args.username}", file=sys.stderr)
    elif args.action == "reset":
        password = credentials.reset_password(args.username)
        print(f"{args.username} new password: {password}")
    else:
        for user in credentials.list_users():
            print(f"{user.username}\t{user.role}\t{user.name}")
    return 0
