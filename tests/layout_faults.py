"""A programming fault for the tests of array images and their simulation."""


def swap_two_blocks(layout) -> tuple:
    """Swap, in a layout table, the places of the first two blocks of the same size from
    different layers (their images then hold each other's weights); returns (i, j)."""
    n = len(layout["image"])
    i, j = next((i, j) for i in range(n) for j in range(i + 1, n)
                if layout["height"][i] == layout["height"][j]
                and layout["width"][i] == layout["width"][j]
                and layout["layer"][i] != layout["layer"][j])
    for f in ("image", "y", "x"):
        layout[f][i], layout[f][j] = layout[f][j], layout[f][i]
    return i, j
