"""Plain predicates about accounts."""


def can_administer_accounts(user) -> bool:
    return bool(user.is_authenticated and user.is_admin)
