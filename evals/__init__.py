"""The eval suite: known-fact datasets and the runner behind `assistant eval`."""
