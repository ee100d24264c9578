"""Packing: rectangles into arrays (the compiled kernels' Python face), the registry of
named heuristics, refinement, lower bounds and the verifier. Imports nothing above it
(see docs/architecture.md)."""
from marp.packing.bank import ArrayType, BankPacking, pack_bank, verify_bank
from marp.packing.depth import SLOT_POLICIES, Slots, assign_slots, verify_slots
from marp.packing.bounds import LowerBounds, lower_bound, lower_bounds
from marp.packing.packer import Packing, item_order, pack
from marp.packing.registry import (ALGORITHMS, BIN_SELECTIONS, ORDERS, available_algorithms,
                                   available_bin_selections, available_orders)
from marp.packing.verifier import InvalidPackingError, verify

__all__ = ["pack", "Packing", "item_order", "verify", "InvalidPackingError", "lower_bound",
           "lower_bounds", "LowerBounds", "ALGORITHMS", "BIN_SELECTIONS", "ORDERS",
           "available_algorithms", "available_bin_selections", "available_orders",
           "pack_bank", "verify_bank", "BankPacking", "ArrayType", "Slots", "assign_slots",
           "verify_slots", "SLOT_POLICIES"]
