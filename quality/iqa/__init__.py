"""Internal quality assurance at the training provider: IQA leads sample tutors'
decisions (evidence decisions, duty sign-offs, progress reviews, gateway confirmations),
record whether they agree, and the tutor follows up."""
