"""Report exports that need the chart renderers (web/charts/): a PDF of an ordered list of blocks (reports drawn as
on the screen, text), the filters of a report in words, and the renderer scheduled report mail uses."""
