"""The Vale demo estate (DESIGN.md section 6): real places, an illustrative camera list, a year of history.

cctv.demo.load.vale_demo_estate_load is the entry point; the load_vale_demo command calls it.
"""
