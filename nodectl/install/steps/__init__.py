"""Install steps, one module per group; :mod:`nodectl.install.plan` orders them."""
